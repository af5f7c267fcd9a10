package io.polycache.store.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.testing.PolykitArtifact;
import io.polycache.testing.S3Node;
import io.polycache.testing.S3ProxyProcess;
import io.polycache.testing.Scrape;
import io.polycache.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
            HttpResponse<byte[]> read = getBytes(b, key);
            assertEquals(200, read.statusCode());
            if (i % 100 == 0) {
                assertArrayEquals(body, read.body(), "read " + i);
                assertEquals(PolykitArtifact.sha256(body), read.headers().firstValue("X-Artifact-Hash").orElseThrow());
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        await("a refresh: " + touchLines(b) + " S3 " + difference(counts, s3.requestCounts()), 60, () -> {
            try {
                return metric(b, "polycache_s3_touches_total") >= 1;
            } catch (Exception e) {
                return false;
            }
        });
        Thread.sleep(1_000); // a refresh claimed at the last read has run
        Map<String, Long> made = difference(counts, s3.requestCounts());
        long windows = (long) Math.floor(seconds / 3) + 1;
        double done = metric(b, "polycache_s3_touches_total");
        assertTrue(done >= 1 && done <= windows, done + " refreshes in " + windows + " windows of 3 s (" + seconds
                + " s of reads); S3 requests " + made);
        long copies = made.getOrDefault("CopyObject", 0L);
        assertTrue(copies >= 1 && copies <= windows, "CopyObject requests for 1,000 reads over " + seconds + " s: " + made);
        assertTrue(made.getOrDefault("HeadObject", 0L) <= windows, "HEADs: " + made);
        assertEquals(0L, made.getOrDefault("GetObject", 0L), "local hits: " + made);
        double accounted = 0;
        for (String series : List.of("polycache_s3_touches_total", "polycache_s3_touches_skipped_total",
                "polycache_s3_touches_failed_total")) {
            accounted += metric(b, series);
        }
        assertEquals(1005, accounted, "each of the 1,005 reads is a skip, or claims the window and ends as one refresh,"
                + " skip or failure (S3 requests " + made + ")");

        // Across the fleet: a node whose knowledge is stale learns of another's refresh from the
        // object's Last-Modified (here from the GET that fills its local tier; else a HEAD) and copies nothing.
        Thread.sleep(3_500);
        assertArrayEquals(body, getBytes(b, key).body());
        await("b's refresh of the stale entry", 60, () -> {
            try {
                return metric(b, "polycache_s3_touches_total") == done + 1;
            } catch (Exception e) {
                return false;
            }
        });
        counts = s3.requestCounts();
        assertArrayEquals(body, getBytes(a, key).body()); // a wrote it 10 s ago and has not seen it since
        await("a's look at the entry", 60, () -> {
            try {
                return metric(a, "polycache_s3_touches_skipped_total") >= 1;
            } catch (Exception e) {
                return false;
            }
        });
        made = difference(counts, s3.requestCounts());
        assertEquals(0, metric(a, "polycache_s3_touches_total"), "a found b's refresh: " + made);
        assertEquals(0L, made.getOrDefault("CopyObject", 0L), "no second copy in the window: " + made);

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

    private static Map<String, String> janitor(String prefix, String bound, String hard, String interval) {
        return parameters(prefix, Map.of("polycache.s3.retention", "janitor", "polycache.maxCacheSize", bound,
                "polycache.maxCacheSizeHard", hard, "polycache.s3.janitorInterval", interval,
                "polycache.s3.janitorLease", "6s", "polycache.s3.touchAfter", "1s"));
    }

    private static double sum(String series, TestServer... nodes) throws Exception {
        double total = 0;
        for (TestServer node : nodes) {
            total += metric(node, series);
        }
        return total;
    }

    @Test
    void theJanitorKeepsTheBucketUnderTheBoundAndTheEntryReadRepeatedlySurvives() throws Exception {
        String prefix = "settle/";
        TestServer a = node("a", janitor(prefix, "4m", "64m", "2s"));
        TestServer b = node("b", janitor(prefix, "4m", "64m", "2s"));
        String hot = PolykitArtifact.randomKey(64);
        byte[] hotBody = artifact(hot, 10, 128 * 1024);
        assertEquals(201, a.put(path(hot), hotBody).statusCode());
        List<String> cold = new ArrayList<>();
        for (int i = 0; i < 48; i++) { // 6 MiB in all, written after the hot entry
            String key = PolykitArtifact.randomKey(64);
            cold.add(key);
            HttpResponse<String> put = (i % 2 == 0 ? b : a).put(path(key), artifact(key, 100 + i, 128 * 1024));
            assertEquals(201, put.statusCode(), put.body());
            assertArrayEquals(hotBody, getBytes(i % 2 == 0 ? a : b, hot).body());
            Thread.sleep(100);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (bytes(prefix + "entries/") > 4 * MIB || sum("polycache_s3_janitor_rounds_total", a, b) < 1
                || stored(prefix, cold.get(0))) {
            assertTrue(System.nanoTime() < deadline, "the bucket did not settle under 4 MiB: " + bytes(prefix + "entries/")
                    + " bytes; " + touchLines(a) + touchLines(b));
            assertArrayEquals(hotBody, getBytes(a, hot).body());
            Thread.sleep(200);
        }
        assertTrue(stored(prefix, hot), "the entry read all along survives");
        assertFalse(stored(prefix, cold.get(0)), "the oldest unread entry went");
        assertEquals(1, sum("polycache_s3_janitor_lease_held", a, b), "one janitor");
        assertTrue(sum("polycache_s3_evicted_entries_total", a, b) >= 10, touchLines(a) + touchLines(b));
        assertTrue(sum("polycache_s3_evicted_bytes_total", a, b) >= 10 * 128 * 1024, touchLines(a) + touchLines(b));
        TestServer janitor = metric(a, "polycache_s3_janitor_lease_held") == 1 ? a : b;
        double measured = metric(janitor, "polycache_s3_bucket_bytes");
        assertTrue(measured > 0 && measured <= 4 * MIB, "usage as last measured: " + measured);
        assertTrue(metric(janitor, "polycache_s3_janitor_last_round_seconds") > 0);
        String usage = client.getObjectAsBytes(r -> r.bucket(BUCKET).key(prefix + "janitor/usage")).asUtf8String();
        assertTrue(usage.contains("holder="), usage);
        // Reading an evicted entry is an honest miss on a node that did not hold it.
        TestServer fresh = node("fresh", janitor(prefix, "4m", "64m", "2s"));
        assertEquals(404, getBytes(fresh, cold.get(0)).statusCode());
        assertArrayEquals(hotBody, getBytes(fresh, hot).body());
    }

    @Test
    void writesPastTheHardBoundGet507AndSucceedAgainOnceARoundFreedSpace() throws Exception {
        String prefix = "hard/";
        TestServer a = node("a", janitor(prefix, "2m", "3m", "3s"));
        TestServer b = node("b", janitor(prefix, "2m", "3m", "3s"));
        HttpResponse<String> refused = null;
        int written = 0;
        for (int i = 0; i < 60 && refused == null; i++) {
            String key = PolykitArtifact.randomKey(64);
            HttpResponse<String> put = a.put(path(key), artifact(key, 200 + i, 256 * 1024));
            if (put.statusCode() == 507) {
                refused = put;
            } else {
                assertEquals(201, put.statusCode(), put.body());
                written++;
            }
        }
        assertTrue(refused != null, "no 507 after " + written + " writes of 256 KiB past a hard bound of 3 MiB");
        assertTrue(written >= 12, "507 only once this node's writes alone passed 3 MiB: after " + written);
        assertTrue(refused.body().contains("shared bucket"), refused.body());
        assertTrue(metric(a, "polycache_s3_bucket_estimated_bytes") > 3 * MIB, touchLines(a));

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        int status = 507;
        while (status == 507) {
            assertTrue(System.nanoTime() < deadline, "still 507 after 120 s: " + touchLines(a) + touchLines(b));
            Thread.sleep(500);
            String key = PolykitArtifact.randomKey(64);
            HttpResponse<String> put = a.put(path(key), artifact(key, 999, 256 * 1024));
            status = put.statusCode();
            assertTrue(status == 201 || status == 507, put.body());
        }
        assertTrue(sum("polycache_s3_janitor_rounds_total", a, b) >= 1);
        assertTrue(bytes(prefix + "entries/") <= 3 * MIB + 256 * 1024 + 4096, "bytes " + bytes(prefix + "entries/"));
    }

    @Test
    void whenTheJanitorIsKilledAnotherNodeTakesOverOnceItsLeaseExpired() throws Exception {
        String prefix = "takeover/";
        for (int i = 0; i < 3; i++) { // the least recently used: dependency bundles, each with a blob of its own
            bundle(prefix, 40 + i, blob(prefix, 40 + i, 20), blob(prefix, 50, 20));
        }
        Map<String, String> parameters = new HashMap<>(janitor(prefix, "2m", "64m", "1s"));
        parameters.put("polycache.s3.blobGrace", "1s");
        S3Node killed = S3Node.listening(launch(parameters, "killed"));
        String pid = "-" + killed.process().pid() + "-";
        await("the process node holds the lease", 120, () -> leaseHolder(prefix).contains(pid));
        TestServer a = node("a", parameters);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 40; i++) { // 5 MiB, past the bound: the process node's rounds delete
            String key = PolykitArtifact.randomKey(64);
            keys.add(key);
            assertEquals(201, a.put(path(key), artifact(key, 300 + i, 128 * 1024)).statusCode());
        }
        await("the process node's round started deleting", 120, () -> bytes(prefix + "entries/") < 5 * MIB - 128 * 1024);
        killed.process().destroyForcibly(); // SIGKILL: no hand-over
        killed.process().waitFor(30, TimeUnit.SECONDS);
        String last = leaseHolder(prefix);
        long expired = Long.parseLong(field(last, "expires"));

        await("node a takes the lease", 120, () -> {
            try {
                return metric(a, "polycache_s3_janitor_lease_held") == 1;
            } catch (Exception e) {
                return false;
            }
        });
        String taken = leaseHolder(prefix);
        assertFalse(taken.contains(pid), taken);
        long takenAt = Long.parseLong(field(taken, "expires")) - 6_000;
        assertTrue(takenAt >= expired, "taken at " + takenAt + ", before the dead node's lease expired at " + expired);
        await("the bucket settles under 2 MiB", 120, () -> bytes(prefix + "entries/") <= 2 * MIB);
        // Consistent: every object left is a whole entry, served with its hash.
        List<S3Object> left = objects(prefix + "entries/");
        assertFalse(left.isEmpty());
        for (S3Object object : left) {
            String key = object.key().substring((prefix + "entries/polykit/").length());
            HttpResponse<byte[]> read = getBytes(a, key);
            assertEquals(200, read.statusCode(), key);
            assertEquals(PolykitArtifact.sha256(read.body()), read.headers().firstValue("X-Artifact-Hash").orElseThrow());
        }
        assertTrue(metric(a, "polycache_s3_janitor_rounds_total") >= 1);
        for (S3Object index : objects(prefix + "indexes/")) { // every index's blobs present
            try (var in = client.getObject(r -> r.bucket(BUCKET).key(index.key()))) {
                for (String sha : io.polycache.bundle.BundleIndex.blobsOf(io.polycache.bundle.IndexCodec.read(in).entries())) {
                    assertTrue(exists(prefix + "objects/" + sha), index.key() + " lacks its blob " + sha);
                }
            }
        }
    }

    private static String sha(byte[] bytes) {
        java.security.MessageDigest digest = io.polycache.store.Sha256.newDigest();
        digest.update(bytes);
        return io.polycache.store.Sha256.of(digest).value();
    }

    /** A blob object of {@code kib} KiB under the prefix; returns its SHA-256. */
    private static String blob(String prefix, int seed, int kib) {
        byte[] body = new byte[kib * 1024];
        new Random(seed).nextBytes(body);
        String sha = sha(body);
        client.putObject(r -> r.bucket(BUCKET).key(prefix + "objects/" + sha),
                software.amazon.awssdk.core.sync.RequestBody.fromBytes(body));
        return sha;
    }

    /** A ZIP and then its index (the commit order of the dependency cache); returns the index's object name. */
    private static String bundle(String prefix, int seed, String... blobs) throws IOException {
        List<io.polycache.bundle.IndexEntry> entries = new ArrayList<>();
        for (int i = 0; i < blobs.length; i++) {
            entries.add(io.polycache.bundle.IndexEntry.file("node_modules/p" + i + "/index.js",
                    new io.polycache.store.Sha256(blobs[i]), 100 * 1024, false, 0, 100 * 1024,
                    new io.polycache.store.Sha256(blobs[i])));
        }
        byte[] hashSeed = new byte[32];
        new Random(seed).nextBytes(hashSeed);
        io.polycache.store.Sha256 hash = new io.polycache.store.Sha256(sha(hashSeed));
        var index = new io.polycache.bundle.BundleIndex(hash, "npm", new java.util.LinkedHashMap<>(
                Map.of("node", "20.11.0")), "node_modules", entries);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        io.polycache.bundle.IndexCodec.write(index, out);
        byte[] zip = new byte[300 * 1024];
        new Random(seed).nextBytes(zip);
        client.putObject(r -> r.bucket(BUCKET).key(prefix + "bundles/" + hash.value() + ".zip"),
                software.amazon.awssdk.core.sync.RequestBody.fromBytes(zip));
        String name = prefix + "indexes/" + hash.value() + ".npm.20.11.0.index";
        client.putObject(r -> r.bucket(BUCKET).key(name), software.amazon.awssdk.core.sync.RequestBody.fromBytes(out.toByteArray()));
        return name;
    }

    private static boolean exists(String name) {
        return objects(name).stream().anyMatch(o -> o.key().equals(name));
    }

    @Test
    void aBundlesBlobsStayWhileItsIndexExistsAndGoAfterIt() throws Exception {
        String prefix = "deps/";
        String shared = blob(prefix, 1, 100);
        String alone = blob(prefix, 2, 100);
        String first = bundle(prefix, 1, shared, alone); // the least recently used bundle
        Thread.sleep(1100);
        String other = blob(prefix, 3, 100);
        String second = bundle(prefix, 2, shared, other);
        String orphan = blob(prefix, 4, 100); // referenced by no index
        String firstZip = prefix + "bundles/" + first.substring((prefix + "indexes/").length()).split("\\.")[0] + ".zip";
        String secondZip = prefix + "bundles/" + second.substring((prefix + "indexes/").length()).split("\\.")[0] + ".zip";
        Thread.sleep(2_000); // every blob is now past the grace period: only references keep them

        // About 1,002 KiB in all against a bound of 700 KiB: the first bundle's ZIP and index go,
        // then the blob it alone held; the blob it shares, and the second bundle whole, stay.
        Map<String, String> parameters = new HashMap<>(janitor(prefix, "700k", "64m", "1s"));
        parameters.put("polycache.s3.blobGrace", "1s");
        TestServer a = node("a", parameters);
        TestServer b = node("b", parameters);
        await("the first bundle's index, its own blob and its ZIP go", 120,
                () -> !exists(first) && !exists(prefix + "objects/" + alone) && !exists(firstZip)
                        && !exists(prefix + "objects/" + orphan));
        assertTrue(exists(second), "the second index stays");
        assertTrue(exists(secondZip), "the second ZIP stays");
        for (String sha : List.of(shared, other)) {
            assertTrue(exists(prefix + "objects/" + sha), "a blob of an index that exists stays: " + sha);
        }
        assertTrue(bytes(prefix + "entries/") + bytes(prefix + "indexes/") + bytes(prefix + "bundles/")
                + bytes(prefix + "objects/") <= 700 * 1024);
        assertEquals(1, sum("polycache_s3_swept_blobs_total", a, b), "the orphan blob was swept");

        // Once the second index goes too (here: deleted by hand), its blobs are swept.
        client.deleteObject(r -> r.bucket(BUCKET).key(second));
        await("the second bundle's blobs are swept once its index is gone", 120,
                () -> !exists(prefix + "objects/" + shared) && !exists(prefix + "objects/" + other));
    }

    @Test
    void inLifecycleModeUnreferencedBlobsAreSweptAndNothingElseIsDeleted() throws Exception {
        String prefix = "lifecycle/";
        String kept = blob(prefix, 11, 10);
        String index = bundle(prefix, 11, kept);
        String orphan = blob(prefix, 12, 10);
        String key = PolykitArtifact.randomKey(64);
        Map<String, String> parameters = parameters(prefix, Map.of("polycache.s3.janitorInterval", "1s",
                "polycache.s3.janitorLease", "6s", "polycache.s3.blobGrace", "3s"));
        TestServer a = node("a", parameters);
        assertEquals(201, a.put(path(key), artifact(key, 5, 10_000)).statusCode());
        await("the orphan blob is swept once past the grace period", 120, () -> !exists(prefix + "objects/" + orphan));
        assertTrue(exists(prefix + "objects/" + kept), "a referenced blob stays, however old");
        assertTrue(exists(index));
        assertTrue(stored(prefix, key), "entries are the lifecycle rules' business");
        assertTrue(metric(a, "polycache_s3_janitor_rounds_total") >= 1);
        assertEquals(1, metric(a, "polycache_s3_swept_blobs_total"));
        assertFalse(a.get("/metrics").body().contains("polycache_s3_bucket_bytes"), "no bound in lifecycle mode");
    }

    /** The newest lease object's content. */
    private static String leaseHolder(String prefix) {
        List<S3Object> leases = objects(prefix + "janitor/lease-");
        if (leases.isEmpty()) {
            return "";
        }
        String newest = leases.stream().map(S3Object::key).max(String::compareTo).orElseThrow();
        try {
            return client.getObjectAsBytes(r -> r.bucket(BUCKET).key(newest)).asUtf8String();
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            return "";
        }
    }

    private static String field(String record, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "=(.*)$").matcher(record);
        assertTrue(m.find(), record);
        return m.group(1).trim();
    }

    /** {@code java -jar polycache.war} over the bucket, as an operator runs a node; stopped after the test. */
    private Process launch(Map<String, String> parameters, String name) throws IOException {
        Process process = S3Node.launch(dir.resolve(name), parameters);
        processes.add(process);
        return process;
    }
}
