package io.polycache.store.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polycache.testing.DepsClient;
import io.polycache.testing.HostToolchain;
import io.polycache.testing.PolykitArtifact;
import io.polycache.testing.S3Node;
import io.polycache.testing.S3ProxyProcess;
import io.polycache.testing.Scrape;
import io.polycache.testing.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Several Polycache nodes (the built WAR, on embedded Tomcat or as {@code java -jar} processes)
 * over one bucket of S3Proxy 4.0, run as a child process. Nodes A and B serve the whole class
 * (a node takes seconds to start on a loaded 2-core machine); each test uses its own keys.
 */
@Timeout(300)
class SharedStoreIT {
    private static final String BUCKET = "polycache-it";

    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    private static final String prefix = "it/";
    private static S3ProxyProcess s3;
    private static S3Client client;
    private static TestServer a;
    private static TestServer b;
    private final List<AutoCloseable> nodes = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        s3 = S3ProxyProcess.start(shared.resolve("s3"), BUCKET);
        client = s3.client();
        S3ProxyProcess.useTestCredentials(); // the default chain of the nodes in this JVM reads them
        a = TestServer.start(shared.resolve("a"), parameters());
        b = TestServer.start(shared.resolve("b"), parameters());
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {b, a, client, s3}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                // the next one still stops
            }
        }
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

    private static Map<String, String> parameters() {
        Map<String, String> parameters = new HashMap<>(s3.nodeParameters(BUCKET));
        parameters.put("polycache.s3.prefix", prefix);
        // These tests count S3 requests exactly: no lease ticks or sweeps of a janitor (RetentionIT tests those).
        parameters.put("polycache.s3.retention", "none");
        return parameters;
    }

    private TestServer node(String name) throws Exception {
        TestServer node = TestServer.start(dir.resolve(name), parameters());
        nodes.add(node);
        return node;
    }

    private static String path(String key) {
        return "/v1/artifacts/" + key;
    }

    private static HttpResponse<byte[]> getBytes(TestServer node, String key) throws Exception {
        return node.client().send(node.request(path(key)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpResponse<Void> head(TestServer node, String key) throws Exception {
        return node.client().send(node.request(path(key)).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    private static byte[] artifact(String key, int seed, int outputBytes) {
        byte[] output = new byte[outputBytes];
        new Random(seed).nextBytes(output);
        return new PolykitArtifact(key, Map.of("dist/out-" + seed + ".bin", output)).bytes();
    }

    /** The objects stored for these keys. */
    private static List<String> objects(String... keys) {
        List<String> found = new ArrayList<>();
        for (String key : keys) {
            client.listObjectsV2Paginator(r -> r.bucket(BUCKET).prefix(prefix + "entries/polykit/" + key)).contents()
                    .stream().map(S3Object::key).forEach(found::add);
        }
        return found;
    }

    @Test
    void anEntryStoredThroughOneNodeIsServedByTheOtherAndStaysWriteOnce() throws Exception {
        String key = PolykitArtifact.randomKey(64);
        byte[] body = artifact(key, 1, 300_000);

        Map<String, Long> counts = s3.requestCounts();
        HttpResponse<String> put = a.put(path(key), body);
        assertEquals(201, put.statusCode(), put.body());
        assertEquals(Map.of("PutObject", 1L), difference(counts, counts = s3.requestCounts()), "a write: one PUT");

        HttpResponse<Void> head = head(b, key);
        assertEquals(200, head.statusCode());
        assertEquals(String.valueOf(body.length), head.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(PolykitArtifact.sha256(body), head.headers().firstValue("X-Artifact-Hash").orElseThrow());
        assertEquals(Map.of("HeadObject", 1L), difference(counts, counts = s3.requestCounts()), "a cold HEAD");
        HttpResponse<byte[]> get = getBytes(b, key);
        assertEquals(200, get.statusCode());
        assertArrayEquals(body, get.body());
        assertEquals(PolykitArtifact.sha256(body), get.headers().firstValue("X-Artifact-Hash").orElseThrow());
        assertEquals(Map.of("GetObject", 1L), difference(counts, counts = s3.requestCounts()), "a cold GET");

        HttpResponse<String> again = b.put(path(key), artifact(key, 2, 1000));
        assertEquals(409, again.statusCode(), again.body());
        assertEquals(Map.of("PutObject", 1L, "HeadObject", 1L), difference(counts, s3.requestCounts()),
                "a refused write: the conditional PUT (412) and the HEAD telling whose object it is");
        assertArrayEquals(body, getBytes(a, key).body(), "the first body stays");
        assertEquals(List.of(prefix + "entries/polykit/" + key), objects(key), "one object per entry, no sidecar");
    }

    @Test
    void sixteenConcurrentPutsOfOneKeySplitOverTwoNodesStoreExactlyOne() throws Exception {
        String key = PolykitArtifact.randomKey(64);
        int writers = 16;
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            bodies.add(artifact(key, 100 + i, 50_000 + 997 * i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> puts = new ArrayList<>();
        try {
            for (int i = 0; i < writers; i++) {
                TestServer node = i % 2 == 0 ? a : b;
                byte[] body = bodies.get(i);
                puts.add(pool.submit(() -> {
                    start.await();
                    return node.put(path(key), body);
                }));
            }
            start.countDown();
            int winner = -1;
            int conflicts = 0;
            for (int i = 0; i < writers; i++) {
                HttpResponse<String> put = puts.get(i).get();
                if (put.statusCode() == 201) {
                    assertEquals(-1, winner, "a second 201: " + put.body());
                    winner = i;
                } else {
                    assertEquals(409, put.statusCode(), put.body());
                    conflicts++;
                }
            }
            assertTrue(winner >= 0, "no 201");
            assertEquals(writers - 1, conflicts);
            assertArrayEquals(bodies.get(winner), getBytes(a, key).body());
            assertArrayEquals(bodies.get(winner), getBytes(b, key).body());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aNodeWithAnEmptyLocalTierServesWithOneS3GetThenNoneAtAll() throws Exception {
        String key = PolykitArtifact.randomKey(40);
        byte[] body = artifact(key, 3, 200_000);
        assertEquals(201, a.put(path(key), body).statusCode());

        TestServer fresh = node("fresh"); // started after the write, with nothing on its disk
        Map<String, Long> before = s3.requestCounts();
        HttpResponse<byte[]> cold = getBytes(fresh, key);
        assertEquals(200, cold.statusCode());
        assertArrayEquals(body, cold.body());
        Map<String, Long> afterCold = s3.requestCounts();
        assertEquals(Map.of("GetObject", 1L), difference(before, afterCold), "a cold read: exactly one S3 GET");

        for (int i = 0; i < 5; i++) {
            assertArrayEquals(body, getBytes(fresh, key).body());
            assertEquals(200, head(fresh, key).statusCode());
        }
        assertEquals(Map.of(), difference(afterCold, s3.requestCounts()), "warm reads: no S3 request");

        // The copy shows in the node's figures: /v1/stats, the status page's source, and /metrics.
        JsonNode local = new ObjectMapper().readTree(fresh.get("/v1/stats").body()).get("local_tier");
        assertEquals(1, local.get("count").asLong(), local.toString());
        assertTrue(local.get("bytes").asLong() >= body.length, "the copy's file holds the body: " + local);
        assertTrue(local.get("limit_bytes").asLong() > 0, local.toString());
        assertEquals(0, local.get("evictions").asLong(), local.toString());
        String metrics = fresh.get("/metrics").body();
        assertEquals(1.0, Scrape.sample(metrics, "polycache_local_tier_entries"), metrics);
        assertEquals(local.get("bytes").asLong(), Scrape.sample(metrics, "polycache_local_tier_used_bytes"), metrics);
        String page = fresh.get("/").body();
        assertTrue(page.contains("<span data-stat=\"local_tier/count\">1</span> entries"), page);
    }

    /**
     * The dependency cache over the bucket, with real npm installs from the npm registry: the same
     * request on both nodes at once commits one index, both answer it and serve the same ZIP; a
     * node started empty serves the bundle from the bucket, building the ZIP from the index and
     * the blobs there when the ZIP object is gone, and shares what it built.
     */
    @Test
    void aBundleInstalledOnBothNodesAtOnceHasOneIndexAndOneZipEverywhere() throws Exception {
        Path project = Path.of("src/test/resources/deps/npm/bin-project");
        Map<String, String> versions = HostToolchain.npmVersions();
        List<DepsClient.Part> request = List.of(DepsClient.Part.field("manager", "npm"),
                DepsClient.Part.field("hash", "ignored"),
                DepsClient.Part.field("versions", DepsClient.JSON.writeValueAsString(versions)),
                DepsClient.Part.file("file[]", project.resolve("package.json")),
                DepsClient.Part.file("file[]", project.resolve("package-lock.json")));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<String> hashes = new ArrayList<>();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> posts = new ArrayList<>();
            for (TestServer node : List.of(a, b)) {
                posts.add(pool.submit(() -> {
                    start.await();
                    return new DepsClient(node).postMultipart(request);
                }));
            }
            start.countDown();
            for (Future<HttpResponse<String>> post : posts) {
                HttpResponse<String> answer = post.get(240, TimeUnit.SECONDS);
                assertEquals(200, answer.statusCode(), answer.body());
                hashes.add(DepsClient.parse(answer).path("hash").asText());
            }
        } finally {
            pool.shutdownNow();
        }
        String hash = hashes.get(0);
        assertEquals(hash, hashes.get(1));
        String indexName = hash + ".npm." + versions.get("node") + "_" + versions.get("npm") + ".index";
        assertEquals(List.of(prefix + "indexes/" + indexName), keysUnder("indexes/"), "one index: the commit point");
        assertEquals(List.of(prefix + "bundles/" + hash + ".zip"), keysUnder("bundles/" + hash));
        byte[] sharedIndex = client.getObjectAsBytes(r -> r.bucket(BUCKET).key(prefix + "indexes/" + indexName)).asByteArray();
        for (TestServer node : List.of(a, b)) {
            Path local = node.storage().resolve("indexes").resolve(hash.substring(0, 2)).resolve(hash.substring(2, 4))
                    .resolve(indexName);
            assertArrayEquals(sharedIndex, java.nio.file.Files.readAllBytes(local), "the winner's index, adopted by the loser");
        }
        java.util.Set<String> blobs = new java.util.TreeSet<>(io.polycache.bundle.BundleIndex.blobsOf(
                io.polycache.bundle.IndexCodec.read(new java.io.ByteArrayInputStream(sharedIndex)).entries()));
        for (String sha : blobs) {
            assertEquals(List.of(prefix + "objects/" + sha), keysUnder("objects/" + sha), "every blob the index names");
        }

        byte[] zipA = download(a, hash);
        byte[] zipB = download(b, hash);
        assertArrayEquals(zipA, zipB, "the same ZIP through either node");
        assertArrayEquals(zipA, client.getObjectAsBytes(r -> r.bucket(BUCKET).key(prefix + "bundles/" + hash + ".zip"))
                .asByteArray(), "the shared ZIP is the one served");

        // B's local ZIP gone (evicted): one GET of the shared ZIP, built from the index B holds.
        java.nio.file.Files.delete(b.storage().resolve("bundles").resolve(hash.substring(0, 2))
                .resolve(hash.substring(2, 4)).resolve(hash + ".zip"));
        Map<String, Long> beforeZip = s3.requestCounts();
        assertArrayEquals(zipA, download(b, hash));
        assertEquals(Map.of("GetObject", 1L), difference(beforeZip, s3.requestCounts()), "the shared ZIP, fetched once");

        client.deleteObject(r -> r.bucket(BUCKET).key(prefix + "bundles/" + hash + ".zip"));
        TestServer fresh = node("fresh-deps"); // nothing on its disk, and no ZIP in the bucket
        Map<String, Long> before = s3.requestCounts();
        assertArrayEquals(zipA, download(fresh, hash), "built from the shared index and blobs, byte for byte");
        Map<String, Long> afterCold = s3.requestCounts();
        assertEquals(Map.of("ListObjectsV2", 1L, "GetObject", 2L + blobs.size(), "PutObject", 1L),
                difference(before, afterCold), "a LIST finds the index by the bundle's hash, a GET fetches it, a GET"
                + " finds no ZIP, one GET per blob (" + blobs.size() + ") builds it, and it is shared again");
        assertArrayEquals(zipA, client.getObjectAsBytes(r -> r.bucket(BUCKET).key(prefix + "bundles/" + hash + ".zip"))
                .asByteArray());
        afterCold = s3.requestCounts();
        assertArrayEquals(zipA, download(fresh, hash));
        HttpResponse<String> again = new DepsClient(fresh).postMultipart(request);
        assertEquals(200, again.statusCode(), again.body());
        assertTrue(DepsClient.parse(again).path("cache_hit").asBoolean(), again.body());
        assertEquals(Map.of(), difference(afterCold, s3.requestCounts()), "a warm download and cache hit: no S3 request");
        assertEquals(List.of(prefix + "indexes/" + indexName), keysUnder("indexes/"));
    }

    private byte[] download(TestServer node, String hash) throws Exception {
        HttpResponse<byte[]> zip = node.client().send(node.request("/download/" + hash + ".zip").GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, zip.statusCode());
        assertTrue(zip.body().length > 1000, "a ZIP of " + zip.body().length + " bytes");
        return zip.body();
    }

    private static List<String> keysUnder(String under) {
        return client.listObjectsV2Paginator(r -> r.bucket(BUCKET).prefix(prefix + under)).contents().stream()
                .map(S3Object::key).toList();
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

    @Test
    void withS3DownLocalHitsAreServedMissesAre503AndTheNodeRecoversByItself() throws Exception {
        String warm = PolykitArtifact.randomKey(40);
        String cold = PolykitArtifact.randomKey(40);
        byte[] warmBody = artifact(warm, 4, 100_000);
        byte[] coldBody = artifact(cold, 5, 100_000);
        assertEquals(201, a.put(path(warm), warmBody).statusCode());
        assertEquals(201, a.put(path(cold), coldBody).statusCode());
        assertArrayEquals(warmBody, getBytes(a, warm).body()); // now in a's local tier
        assertTrue(a.get("/health").body().contains("\"healthy\""));

        s3.stop();
        try {
            HttpResponse<byte[]> hit = getBytes(a, warm);
            assertEquals(200, hit.statusCode());
            assertArrayEquals(warmBody, hit.body());

            HttpResponse<byte[]> miss = getBytes(a, cold);
            assertEquals(503, miss.statusCode(), new String(miss.body(), StandardCharsets.UTF_8));
            assertTrue(miss.headers().firstValue("Retry-After").isPresent());
            assertEquals(503, head(a, cold).statusCode());
            String other = PolykitArtifact.randomKey(40);
            HttpResponse<String> write = a.put(path(other), artifact(other, 6, 1000));
            assertEquals(503, write.statusCode(), write.body());
            assertTrue(write.headers().firstValue("Retry-After").isPresent());
            // The Turborepo and Nx uploads too, each in its protocol's error shape (turbo reads
            // {"error": {...}}, the Nx CLI a text/plain body).
            String hash = PolykitArtifact.randomKey(16);
            HttpResponse<String> turbo = a.send(a.request("/turbo/v8/artifacts/" + hash + "?teamId=shared")
                    .PUT(HttpRequest.BodyPublishers.ofString("turbo")).build());
            assertEquals(503, turbo.statusCode(), turbo.body());
            assertTrue(turbo.headers().firstValue("Retry-After").isPresent());
            assertTrue(turbo.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
            assertTrue(turbo.body().startsWith("{\"error\":{\"code\":"), turbo.body());
            String task = Long.toUnsignedString(java.util.concurrent.ThreadLocalRandom.current().nextLong()); // Nx: decimal
            HttpResponse<String> nx = a.send(a.request("/nx/v1/cache/" + task)
                    .PUT(HttpRequest.BodyPublishers.ofString("nx")).build());
            assertEquals(503, nx.statusCode(), nx.body());
            assertTrue(nx.headers().firstValue("Retry-After").isPresent());
            assertTrue(nx.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));

            HttpResponse<String> health = a.get("/health");
            assertEquals(200, health.statusCode(), "degraded, not drained");
            assertTrue(health.body().contains("\"degraded\""), health.body());
        } finally {
            s3.restart();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String health = a.get("/health").body();
        while (!health.contains("\"healthy\"") && System.nanoTime() < deadline) {
            Thread.sleep(200);
            health = a.get("/health").body();
        }
        assertTrue(health.contains("\"healthy\""), health);
        HttpResponse<byte[]> back = getBytes(a, cold);
        assertEquals(200, back.statusCode());
        assertArrayEquals(coldBody, back.body());
    }

    @Test
    void aNodeRefusesToStartAgainstAStoreThatIgnoresIfNoneMatch() throws Exception {
        try (S3ProxyProcess old = S3ProxyProcess.start(S3ProxyProcess.jarIgnoringIfNoneMatch(), dir.resolve("old-s3"),
                BUCKET)) {
            Map<String, String> parameters = new HashMap<>(old.nodeParameters(BUCKET));
            Process node = launch(parameters, "refused");
            assertTrue(node.waitFor(120, TimeUnit.SECONDS), "the node did not exit");
            String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(node.exitValue() != 0, output);
            assertTrue(output.contains("ignores If-None-Match: *"), output);
            assertTrue(output.contains("conditional writes"), output);
            assertFalse(output.contains("Polycache listening"), output);
        }
    }

    @Test
    void aNodeKilledInTheMiddleOfUploadsLeavesNothingPartialVisibleThroughTheOther() throws Exception {
        S3Node killed = S3Node.listening(launch(parameters(), "killed"));

        // 1: killed while the body is still arriving.
        String arriving = PolykitArtifact.randomKey(64);
        byte[] arrivingBody = artifact(arriving, 7, 8 * 1024 * 1024);
        HttpURLConnection slow = (HttpURLConnection) URI.create(killed.url() + path(arriving)).toURL().openConnection();
        slow.setRequestMethod("PUT");
        slow.setDoOutput(true);
        slow.setFixedLengthStreamingMode(arrivingBody.length);
        OutputStream out = slow.getOutputStream();
        out.write(arrivingBody, 0, arrivingBody.length / 2);
        out.flush();

        // 2: killed while a large verified body goes up to S3 in parts.
        String uploading = PolykitArtifact.randomKey(64);
        byte[] uploadingBody = artifact(uploading, 8, 96 * 1024 * 1024);
        CompletableFuture<Integer> big = CompletableFuture.supplyAsync(() -> {
            try {
                HttpURLConnection put = (HttpURLConnection) URI.create(killed.url() + path(uploading)).toURL().openConnection();
                put.setRequestMethod("PUT");
                put.setDoOutput(true);
                put.setFixedLengthStreamingMode(uploadingBody.length);
                try (OutputStream body = put.getOutputStream()) {
                    body.write(uploadingBody);
                }
                return put.getResponseCode();
            } catch (IOException e) {
                return -1;
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        boolean inParts = false;
        while (!inParts && !big.isDone() && System.nanoTime() < deadline) {
            inParts = !client.listMultipartUploads(r -> r.bucket(BUCKET).prefix(prefix + "entries/polykit/" + uploading))
                    .uploads().isEmpty();
            Thread.sleep(20);
        }
        killed.process().destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
        killed.process().waitFor(30, TimeUnit.SECONDS);
        assertTrue(inParts, "the node was not caught during its multipart upload (upload answered "
                + (big.isDone() ? big.get() : "nothing") + ")");
        assertEquals(-1, (int) big.get(60, TimeUnit.SECONDS), "the client saw the node die");
        try {
            out.write(arrivingBody, arrivingBody.length / 2, arrivingBody.length - arrivingBody.length / 2);
            out.close();
            slow.getResponseCode();
        } catch (IOException expected) {
            // the connection died with the node
        }

        for (String key : List.of(arriving, uploading)) {
            assertEquals(404, head(b, key).statusCode(), key);
            assertEquals(404, getBytes(b, key).statusCode(), key);
        }
        assertEquals(List.of(), objects(arriving, uploading), "no object, whole or partial");
        // The other node stores both keys afresh: nothing was committed for them.
        assertEquals(201, b.put(path(arriving), arrivingBody).statusCode());
        assertArrayEquals(arrivingBody, getBytes(b, arriving).body());
    }

    /** {@code java -jar polycache.war} over the bucket, as an operator runs a node; stopped after the test. */
    private Process launch(Map<String, String> parameters, String name) throws IOException {
        Process process = S3Node.launch(dir.resolve(name), parameters);
        processes.add(process);
        return process;
    }
}
