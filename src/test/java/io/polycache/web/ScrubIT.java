package io.polycache.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.testing.PolykitArtifact;
import io.polycache.testing.S3ProxyProcess;
import io.polycache.testing.Scrape;
import io.polycache.testing.TestServer;
import java.io.RandomAccessFile;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The background scrub finds damage planted while the server runs, including in large
 * write-once entries that reads send with sendfile, unchecked: the entry is removed and counted,
 * the key is an honest miss, and a re-upload heals it. Good entries stay.
 */
class ScrubIT {
    @TempDir
    Path storage;

    @Test
    void damagePlantedWhileTheServerRunsIsFoundRemovedAndHealed() throws Exception {
        Map<String, String> fast = Map.of("polycache.scrub.bytesPerSecond", "64m", "polycache.scrub.intervalSeconds", "1");
        try (TestServer server = TestServer.start(storage, fast)) {
            // Incompressible outputs, so the entry is far above the size read whole and checked.
            byte[] big = new byte[200 * 1024];
            new Random(20).nextBytes(big);
            String damagedKey = PolykitArtifact.randomKey(64);
            byte[] damagedBody = new PolykitArtifact(damagedKey, Map.of("dist/blob.bin", big)).bytes();
            String goodKey = PolykitArtifact.randomKey(64);
            byte[] goodBody = new PolykitArtifact(goodKey, Map.of("dist/blob.bin", big)).bytes();
            assertTrue(damagedBody.length > 128 * 1024, "far above the size read whole and checked on every read");
            assertEquals(201, server.put("/v1/artifacts/" + damagedKey, damagedBody).statusCode());
            assertEquals(201, server.put("/v1/artifacts/" + goodKey, goodBody).statusCode());
            // Both entries read back whole at least once (a pass may have run on the empty store
            // before the uploads), so the damage below is found by a later pass.
            waitFor(server, "polycache_scrub_verified_bytes_total", damagedBody.length + goodBody.length);

            // One flipped byte in the middle of the body; length, footer and metadata unchanged.
            Path file = TestServer.polykitEntry(storage, damagedKey);
            flipByte(file, damagedBody.length / 2);

            waitFor(server, "polycache_scrub_damaged_total", 1);
            assertFalse(Files.exists(file), "the damaged entry's file is removed");
            String metrics = server.get("/metrics").body();
            assertTrue(Scrape.sample(metrics, "polycache_scrub_verified_bytes_total") >= 2 * damagedBody.length,
                    metrics);
            assertEquals(1, Scrape.sample(metrics, "polycache_scrub_damaged_total"), "found once, counted once");

            assertEquals(404, server.get("/v1/artifacts/" + damagedKey).statusCode(), "an honest miss");
            HttpResponse<byte[]> good = server.client().send(server.request("/v1/artifacts/" + goodKey).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, good.statusCode());
            assertArrayEquals(goodBody, good.body(), "the good entry stays as it was");

            assertEquals(201, server.put("/v1/artifacts/" + damagedKey, damagedBody).statusCode(), "a re-upload heals it");
            HttpResponse<byte[]> healed = server.client().send(server.request("/v1/artifacts/" + damagedKey).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertArrayEquals(damagedBody, healed.body());
            long passes = (long) Scrape.sample(server.get("/metrics").body(), "polycache_scrub_passes_total");
            waitFor(server, "polycache_scrub_passes_total", passes + 2);
            assertEquals(1, Scrape.sample(server.get("/metrics").body(), "polycache_scrub_damaged_total"),
                    "good entries are never counted as damaged");
        }
    }

    /**
     * On a node over S3 the copies in its local tier are served like a single node's entries
     * (the large write-once ones with sendfile, unchecked), so the scrub checks them too: a
     * damaged copy is removed and the next read fetches the good object from the bucket again.
     */
    @Test
    void aDamagedCopyInTheLocalTierIsFoundAndTheNextReadFetchesTheGoodObject(@TempDir Path s3Data) throws Exception {
        try (S3ProxyProcess s3 = S3ProxyProcess.start(s3Data, "polycache-scrub")) {
            S3ProxyProcess.useTestCredentials();
            Map<String, String> parameters = new HashMap<>(s3.nodeParameters("polycache-scrub"));
            parameters.put("polycache.s3.retention", "none");
            parameters.put("polycache.scrub.bytesPerSecond", "64m");
            parameters.put("polycache.scrub.intervalSeconds", "1");
            try (TestServer server = TestServer.start(storage, parameters)) {
                byte[] big = new byte[200 * 1024];
                new Random(21).nextBytes(big);
                String key = PolykitArtifact.randomKey(64);
                byte[] body = new PolykitArtifact(key, Map.of("dist/blob.bin", big)).bytes();
                assertEquals(201, server.put("/v1/artifacts/" + key, body).statusCode());
                Path copy = TestServer.polykitEntry(storage.resolve("local-tier"), key);
                // The first read fetches the object into the local tier; the scrub reads it back.
                assertArrayEquals(body, getBytes(server, key));
                assertTrue(Files.exists(copy), "the read left a copy in the local tier at " + copy);
                waitFor(server, "polycache_scrub_verified_bytes_total", body.length);

                flipByte(copy, body.length / 2);

                waitFor(server, "polycache_scrub_damaged_total", 1);
                assertFalse(Files.exists(copy), "the damaged copy is removed");
                Map<String, Long> before = s3.requestCounts();
                assertArrayEquals(body, getBytes(server, key), "the next read serves the bucket's good bytes");
                assertEquals(1L, s3.requestCounts().getOrDefault("GetObject", 0L) - before.getOrDefault("GetObject", 0L),
                        "fetched again from the bucket");
                assertTrue(Files.exists(copy), "and kept in the local tier again");
            }
        }
    }

    /** One flipped bit at {@code at}; length, footer and metadata unchanged. */
    private static void flipByte(Path file, long at) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ 0x01);
        }
    }

    private static byte[] getBytes(TestServer server, String key) throws Exception {
        HttpResponse<byte[]> get = server.client().send(server.request("/v1/artifacts/" + key).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, get.statusCode());
        return get.body();
    }

    private static void waitFor(TestServer server, String series, double atLeast) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        double value = 0;
        while (System.nanoTime() < deadline) {
            value = Scrape.sample(server.get("/metrics").body(), series);
            if (value >= atLeast) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(series + " stayed at " + value + ", expected at least " + atLeast);
    }
}
