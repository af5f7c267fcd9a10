package io.polycache.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.testing.PolykitArtifact;
import io.polycache.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploads with a declared length of 4 MiB or more, verified on a second thread, end to end. */
class LargeUploadIT {
    @TempDir
    static Path storage;

    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(storage);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** About 6 MiB of incompressible output, so the body is over the two-thread threshold. */
    private static PolykitArtifact large(String key, int seed) {
        byte[] output = new byte[6 * 1024 * 1024];
        new Random(seed).nextBytes(output);
        return new PolykitArtifact(key, Map.of("lib/app.so", output));
    }

    @Test
    void aLargeUploadIsStoredWithTheHashOfItsBytesAndReadBackWhole() throws Exception {
        String key = PolykitArtifact.randomKey(64);
        byte[] body = large(key, 1).bytes();
        assertTrue(body.length >= 4 * 1024 * 1024);

        HttpResponse<String> put = server.put("/v1/artifacts/" + key, body);
        assertEquals(201, put.statusCode(), put.body());
        assertTrue(put.body().contains("\"hash\":\"" + PolykitArtifact.sha256(body) + "\""), put.body());

        HttpResponse<byte[]> get = server.client().send(server.request("/v1/artifacts/" + key).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, get.statusCode());
        assertArrayEquals(body, get.body());
        assertEquals(PolykitArtifact.sha256(body), get.headers().firstValue("X-Artifact-Hash").orElseThrow());
        assertEquals(0, server.tmpEntries());
    }

    @Test
    void aLargeUploadWithATamperedOutputIs422AndLeavesNothingThenTheServerGoesOn() throws Exception {
        String key = PolykitArtifact.randomKey(64);
        PolykitArtifact artifact = large(key, 2);
        artifact.outputs.get("lib/app.so")[5_000_000] ^= 1; // the manifest keeps the original digest

        HttpResponse<String> put = server.put("/v1/artifacts/" + key, artifact.bytes());
        assertEquals(422, put.statusCode());
        assertTrue(put.body().contains("SHA-256 mismatch for lib/app.so"), put.body());
        assertEquals(404, server.get("/v1/artifacts/" + key).statusCode());
        assertEquals(0, server.tmpEntries());

        String next = PolykitArtifact.randomKey(64);
        assertEquals(201, server.put("/v1/artifacts/" + next, large(next, 3).bytes()).statusCode());
    }
}
