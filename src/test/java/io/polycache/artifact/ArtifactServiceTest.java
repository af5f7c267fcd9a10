package io.polycache.artifact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ArtifactServiceTest {
    @Test
    void readsHashAndSizeWhateverTheFieldOrder() throws IOException {
        String json = "{\"package_name\":{\"nested\":[1,2]},\"size\":42,\"created_at\":1,\"hash\":\"ab12\"}";
        assertEquals(new ArtifactService.ArtifactInfo("ab12", 42),
                ArtifactService.infoOf(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void metadataWithoutHashOrSizeIsAnError() {
        assertThrows(IOException.class, () -> ArtifactService.infoOf("{\"hash\":\"x\"}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IOException.class, () -> ArtifactService.infoOf("[]".getBytes(StandardCharsets.UTF_8)));
    }
}
