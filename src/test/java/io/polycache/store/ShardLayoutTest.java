package io.polycache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ShardLayoutTest {
    private final ShardLayout layout = new ShardLayout(Path.of("/srv/cache"));

    @Test
    void artifactsShardOnTheFirstFourCharacters() {
        CacheKey key = CacheKey.parse("ABCDEF0123456789abcdef0123456789");
        assertEquals(Path.of("/srv/cache/artifacts/ab/cd/abcdef0123456789abcdef0123456789.zst"), layout.artifactData(key));
        assertEquals(Path.of("/srv/cache/artifacts/ab/cd/abcdef0123456789abcdef0123456789.json"), layout.artifactMetadata(key));
    }

    @Test
    void tmpIsInsideTheStorageDirectory() {
        assertEquals(Path.of("/srv/cache/tmp"), layout.tmp());
    }
}
