package io.polycache.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polycache.testing.PolykitArtifact;
import io.polycache.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvictionIT {
    static final long LIMIT = 256 * 1024;
    static final long HARD_LIMIT = LIMIT + LIMIT / 20;
    static final Map<String, String> BOUNDED = Map.of(
            "polycache.maxCacheSize", String.valueOf(LIMIT), "polycache.maxArtifactSize", "1m");

    @TempDir
    Path storage;

    private final Random random = new Random(42);

    /** An artifact of about {@code size} stored bytes: random content does not compress. */
    private byte[] artifact(String key, int size) {
        byte[] content = new byte[size];
        random.nextBytes(content);
        return new PolykitArtifact(key, Map.of("blob.bin", content)).bytes();
    }

    /** Bytes of every file the cache keeps, as du would add them up (without block rounding). */
    private long bytesOnDisk() throws IOException {
        try (Stream<Path> files = Files.walk(storage.resolve("entries"))) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static JsonNode stats(TestServer server) throws Exception {
        return new ObjectMapper().readTree(server.get("/v1/stats").body());
    }

    @Test
    void theLeastRecentlyUsedGoFirstAndTheDirectoryStaysUnderTheHardLimit() throws Exception {
        try (TestServer server = TestServer.start(storage, BOUNDED)) {
            String hot = PolykitArtifact.randomKey(64);
            assertEquals(201, server.put("/v1/artifacts/" + hot, artifact(hot, 20_000)).statusCode());
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String key = PolykitArtifact.randomKey(64);
                keys.add(key);
                assertEquals(201, server.put("/v1/artifacts/" + key, artifact(key, 20_000)).statusCode());
                assertEquals(200, server.get("/v1/artifacts/" + hot).statusCode(), "the hot entry was evicted");
                assertTrue(bytesOnDisk() <= HARD_LIMIT, "over the hard limit: " + bytesOnDisk());
            }
            assertEquals(404, server.get("/v1/artifacts/" + keys.get(0)).statusCode(), "oldest not evicted");
            assertEquals(200, server.get("/v1/artifacts/" + keys.get(39)).statusCode(), "newest evicted");
            JsonNode stats = stats(server);
            assertTrue(stats.get("evictions").asLong() > 0);
            assertEquals(bytesOnDisk(), stats.get("used_bytes").asLong(), "accounting matches the files");
            assertEquals(LIMIT, stats.get("limit_bytes").asLong());
        }
    }

    @Test
    void aWriteThatCannotFitIs507AndLeavesNothingBehind() throws Exception {
        try (TestServer server = TestServer.start(storage, BOUNDED)) {
            String kept = PolykitArtifact.randomKey(64);
            assertEquals(201, server.put("/v1/artifacts/" + kept, artifact(kept, 10_000)).statusCode());

            String big = PolykitArtifact.randomKey(64);
            HttpResponse<String> put = server.put("/v1/artifacts/" + big, artifact(big, (int) HARD_LIMIT + 10_000));

            assertEquals(507, put.statusCode(), put.body());
            assertTrue(put.body().contains("Insufficient storage"), put.body());
            assertEquals(404, server.get("/v1/artifacts/" + big).statusCode());
            assertEquals(0, server.tmpEntries());
            assertEquals(200, server.get("/v1/artifacts/" + kept).statusCode(),
                    "a write that could never fit evicts nothing");
            assertEquals(bytesOnDisk(), stats(server).get("used_bytes").asLong());
            String next = PolykitArtifact.randomKey(64);
            assertEquals(201, server.put("/v1/artifacts/" + next, artifact(next, 10_000)).statusCode(),
                    "the cache keeps taking writes that fit");
        }
    }

    @Test
    void concurrentUploadsThatTogetherExceedTheLimitNeverOvershoot() throws Exception {
        try (TestServer server = TestServer.start(storage, BOUNDED)) {
            int uploads = 12;
            List<String> keys = new ArrayList<>();
            List<byte[]> bodies = new ArrayList<>();
            for (int i = 0; i < uploads; i++) {
                String key = PolykitArtifact.randomKey(64);
                keys.add(key);
                bodies.add(artifact(key, 60_000));
            }
            ExecutorService pool = Executors.newFixedThreadPool(uploads);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < uploads; i++) {
                int n = i;
                statuses.add(pool.submit(() -> {
                    start.await();
                    return server.put("/v1/artifacts/" + keys.get(n), bodies.get(n)).statusCode();
                }));
            }
            start.countDown();
            int created = 0;
            for (Future<Integer> status : statuses) {
                int code = status.get();
                assertTrue(code == 201 || code == 507, "unexpected status " + code);
                created += code == 201 ? 1 : 0;
            }
            pool.shutdown();
            assertTrue(created >= 3, "only " + created + " uploads succeeded");
            assertTrue(bytesOnDisk() <= HARD_LIMIT, "over the hard limit: " + bytesOnDisk());
            assertEquals(0, server.tmpEntries());
            assertEquals(bytesOnDisk(), stats(server).get("used_bytes").asLong());
        }
    }

    @Test
    void aRestartKeepsTheAccountingAndTheRecency() throws Exception {
        String older = PolykitArtifact.randomKey(64);
        String newer = PolykitArtifact.randomKey(64);
        long used;
        try (TestServer server = TestServer.start(storage, BOUNDED)) {
            server.put("/v1/artifacts/" + older, artifact(older, 100_000));
            server.put("/v1/artifacts/" + newer, artifact(newer, 100_000));
            server.get("/v1/artifacts/" + older); // now the most recently used
            used = stats(server).get("used_bytes").asLong();
        }
        assertTrue(Files.exists(storage.resolve("ledger.snapshot")));
        try (TestServer server = TestServer.start(storage, BOUNDED)) {
            long deadline = System.nanoTime() + 30_000_000_000L; // the snapshot loads in the background
            while (stats(server).get("ledger_loading").asBoolean() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(used, stats(server).get("used_bytes").asLong());
            String third = PolykitArtifact.randomKey(64);
            assertEquals(201, server.put("/v1/artifacts/" + third, artifact(third, 100_000)).statusCode());
            assertEquals(404, server.get("/v1/artifacts/" + newer).statusCode(), "LRU order lost in the restart");
            assertEquals(200, server.get("/v1/artifacts/" + older).statusCode());
        }
    }

    @Test
    void aStoreWithoutASnapshotIsScannedAtStartUp() throws Exception {
        String key = PolykitArtifact.randomKey(64);
        long used;
        try (TestServer server = TestServer.start(storage, BOUNDED)) {
            server.put("/v1/artifacts/" + key, artifact(key, 50_000));
            used = stats(server).get("used_bytes").asLong();
        }
        Files.delete(storage.resolve("ledger.snapshot")); // as after a crash, or an older version
        try (TestServer server = TestServer.start(storage, BOUNDED)) {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (stats(server).get("used_bytes").asLong() != used && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(used, stats(server).get("used_bytes").asLong());
        }
    }
}
