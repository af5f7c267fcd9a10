package io.polycache.store.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.testing.PolykitArtifact;
import io.polycache.testing.S3ProxyProcess;
import io.polycache.testing.Scrape;
import io.polycache.testing.TestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Retention on the shared store (touches, janitor, hard bound, lease takeover): two nodes (the
 * built WAR) over one bucket of S3Proxy 4.0, each test under its own prefix and with its own
 * nodes, configured with short durations.
 */
@Timeout(600)
class RetentionIT {
    private static final String BUCKET = "polycache-retention";
    private static final long MIB = 1024 * 1024;

    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    private static S3ProxyProcess s3;
    private static S3Client client;
    private final List<AutoCloseable> nodes = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        s3 = S3ProxyProcess.start(shared.resolve("s3"), BUCKET);
        client = s3.client();
        S3ProxyProcess.useTestCredentials();
    }

    @AfterAll
    static void stop() {
        client.close();
        s3.close();
    }

    @AfterEach
    void stopNodes() throws Exception {
        for (AutoCloseable node : nodes) {
            node.close();
        }
        for (Process process : processes) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static Map<String, String> parameters(String prefix, Map<String, String> more) {
        Map<String, String> parameters = new HashMap<>(s3.nodeParameters(BUCKET));
        parameters.put("polycache.s3.prefix", prefix);
        parameters.put("polycache.metrics.public", "true");
        parameters.putAll(more);
        return parameters;
    }

    private TestServer node(String name, Map<String, String> parameters) throws Exception {
        TestServer node = TestServer.start(dir.resolve(name), parameters);
        nodes.add(node);
        return node;
    }

    private static String path(String key) {
        return "/v1/artifacts/" + key;
    }

    private static HttpResponse<byte[]> getBytes(TestServer node, String key) throws Exception {
        return node.client().send(node.request(path(key)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] artifact(String key, int seed, int outputBytes) {
        byte[] output = new byte[outputBytes];
        new Random(seed).nextBytes(output);
        return new PolykitArtifact(key, Map.of("dist/out-" + seed + ".bin", output)).bytes();
    }

    private static double metric(TestServer node, String series) throws Exception {
        return Scrape.sample(node.get("/metrics").body(), series);
    }

    private static String touchLines(TestServer node) throws Exception {
        return node.get("/metrics").body().lines().filter(l -> l.startsWith("polycache_s3_")).toList().toString();
    }

    private static Map<String, Long> difference(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> made = new HashMap<>();
        after.forEach((operation, count) -> {
            long delta = count - before.getOrDefault(operation, 0L);
            if (delta != 0) {
                made.put(operation, delta);
            }
        });
        return made;
    }

    private static List<S3Object> objects(String prefix) {
        return client.listObjectsV2Paginator(r -> r.bucket(BUCKET).prefix(prefix)).contents().stream().toList();
    }

    private static long bytes(String prefix) {
        return objects(prefix).stream().mapToLong(S3Object::size).sum();
    }

    private static boolean stored(String prefix, String key) {
        return objects(prefix + "entries/polykit/" + key).stream()
                .anyMatch(o -> o.key().equals(prefix + "entries/polykit/" + key));
    }

    private static void await(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + seconds + " s: " + what);
            }
            Thread.sleep(200);
        }
    }

    @Test
    void aHotEntryReadAThousandTimesIsRefreshedAtMostOncePerWindowAndReadsTheSame() throws Exception {
        String prefix = "touch/";
        Map<String, String> parameters = parameters(prefix, Map.of("polycache.s3.touchAfter", "3s"));
        TestServer a = node("a", parameters);
        TestServer b = node("b", parameters);
        String key = PolykitArtifact.randomKey(64);
        byte[] body = artifact(key, 1, 50_000);
        assertEquals(201, a.put(path(key), body).statusCode());
        String name = prefix + "entries/polykit/" + key;
        HeadObjectResponse before = client.headObject(r -> r.bucket(BUCKET).key(name));

        Map<String, Long> counts = s3.requestCounts();
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(body, getBytes(b, key).body());
        }
        assertEquals(Map.of("GetObject", 1L), difference(counts, s3.requestCounts()),
                "reads of a fresh entry: the cold GET only, no refresh");

        Thread.sleep(3_500); // the entry is now older than touchAfter
        counts = s3.requestCounts();
        long started = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            HttpResponse<byte[]> read = getBytes(i % 2 == 0 ? a : b, key);
            assertEquals(200, read.statusCode());
            if (i % 100 == 0) {
                assertArrayEquals(body, read.body(), "read " + i);
                assertEquals(PolykitArtifact.sha256(body), read.headers().firstValue("X-Artifact-Hash").orElseThrow());
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        await("a refresh: " + touchLines(a) + touchLines(b) + " S3 " + difference(counts, s3.requestCounts()), 60, () -> {
            try {
                return metric(a, "polycache_s3_touches_total") + metric(b, "polycache_s3_touches_total") >= 1;
            } catch (Exception e) {
                return false;
            }
        });
        Thread.sleep(1_000); // a refresh claimed at the last read has run
        Map<String, Long> made = difference(counts, s3.requestCounts());
        long windows = (long) Math.floor(seconds / 3) + 1;
        double done = metric(a, "polycache_s3_touches_total") + metric(b, "polycache_s3_touches_total");
        assertTrue(done >= 1 && done <= windows, done + " refreshes in " + windows + " windows of 3 s (" + seconds
                + " s of reads); S3 requests " + made);
        long copies = made.getOrDefault("CopyObject", 0L);
        assertTrue(copies >= 1 && copies <= 2 * windows, "CopyObject requests for 1,000 reads over " + seconds
                + " s on two nodes: " + made);
        assertTrue(made.getOrDefault("HeadObject", 0L) <= 2 * windows, "HEADs: " + made);
        assertEquals(1L, made.getOrDefault("GetObject", 0L),
                "one cold GET (node a wrote the entry; its local tier fills on reads), then local hits: " + made);
        double accounted = 0;
        for (TestServer node : List.of(a, b)) {
            for (String series : List.of("polycache_s3_touches_total", "polycache_s3_touches_skipped_total",
                    "polycache_s3_touches_failed_total")) {
                accounted += metric(node, series);
            }
        }
        assertEquals(1005, accounted, "each of the 1,005 reads is a skip, or claims the window and ends as one refresh,"
                + " skip or failure (S3 requests " + made + ")");

        HeadObjectResponse after = client.headObject(r -> r.bucket(BUCKET).key(name));
        assertTrue(after.lastModified().isAfter(before.lastModified()), before.lastModified() + " -> " + after.lastModified());
        assertEquals(before.metadata(), after.metadata(), "SHA-256, size, creation time, headers and writer kept");
        assertEquals(before.contentLength(), after.contentLength());
        assertEquals(before.eTag(), after.eTag(), "the same bytes");
        TestServer fresh = node("fresh", parameters);
        HttpResponse<byte[]> read = getBytes(fresh, key);
        assertArrayEquals(body, read.body());
        assertEquals(PolykitArtifact.sha256(body), read.headers().firstValue("X-Artifact-Hash").orElseThrow());
    }
}
