package io.polycache.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.testing.PolykitArtifact;
import io.polycache.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactApiIT {
    static final long MAX_SIZE = 1 << 20;

    @TempDir
    static Path storage;

    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(storage, Map.of("polycache.maxArtifactSize", String.valueOf(MAX_SIZE)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String path(String key) {
        return "/v1/artifacts/" + key;
    }

    @Test
    void putThenGetReturnsTheSameBytesWithHeaders() throws Exception {
        String key = PolykitArtifact.randomKey(64);
        byte[] body = new PolykitArtifact(key).bytes();

        HttpResponse<String> put = server.put(path(key), body);
        assertEquals(201, put.statusCode(), put.body());
        assertEquals("{\"cache_key\":\"" + key + "\",\"hash\":\"" + PolykitArtifact.sha256(body) + "\",\"size\":"
                + body.length + "}", put.body());
        assertEquals("application/json", put.headers().firstValue("Content-Type").orElseThrow());

        HttpResponse<byte[]> get = server.client().send(server.request(path(key)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, get.statusCode());
        assertArrayEquals(body, get.body());
        assertEquals("application/zstd", get.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(String.valueOf(body.length), get.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(PolykitArtifact.sha256(body), get.headers().firstValue("X-Artifact-Hash").orElseThrow());
    }

    @Test
    void aLargeArtifactComesBackWholeBySendfile() throws Exception {
        String key = PolykitArtifact.randomKey(64);
        byte[] content = new byte[600_000];
        new java.util.Random(7).nextBytes(content); // incompressible: the stored body stays large
        byte[] body = new PolykitArtifact(key, Map.of("big.bin", content)).bytes();
        assertTrue(body.length > 48 * 1024);
        assertEquals(201, server.put(path(key), body).statusCode());

        for (int i = 0; i < 3; i++) { // and again on the same connection
            HttpResponse<byte[]> get = server.client().send(server.request(path(key)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, get.statusCode());
            assertArrayEquals(body, get.body());
            assertEquals(String.valueOf(body.length), get.headers().firstValue("Content-Length").orElseThrow());
        }
    }

    @Test
    void storedFilesFollowTheShardLayout() throws Exception {
        String key = PolykitArtifact.randomKey(32);
        byte[] body = new PolykitArtifact(key).bytes();
        assertEquals(201, server.put(path(key), body).statusCode());
        Path file = TestServer.polykitEntry(storage, key);
        assertTrue(Files.isRegularFile(file));
        byte[] stored = Files.readAllBytes(file);
        assertArrayEquals(body, java.util.Arrays.copyOf(stored, body.length), "the body first, then its metadata");
    }

    @Test
    void keysAreCaseInsensitive() throws Exception {
        String key = PolykitArtifact.randomKey(40);
        assertEquals(201, server.put(path(key.toUpperCase()), new PolykitArtifact(key).bytes()).statusCode());
        assertEquals(200, server.get(path(key)).statusCode());
        assertEquals(409, server.put(path(key), new PolykitArtifact(key).bytes()).statusCode());
    }

    @Test
    void headAnswersLikeGetWithoutABody() throws Exception {
        String key = PolykitArtifact.randomKey(64);
        byte[] body = new PolykitArtifact(key).bytes();
        server.put(path(key), body);

        HttpResponse<String> head = server.send(server.request(path(key)).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertEquals(String.valueOf(body.length), head.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(PolykitArtifact.sha256(body), head.headers().firstValue("X-Artifact-Hash").orElseThrow());
        assertEquals("application/zstd", head.headers().firstValue("Content-Type").orElseThrow());

        HttpResponse<String> missing = server.send(server.request(path(PolykitArtifact.randomKey(64)))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(404, missing.statusCode());
    }

    @Test
    void otherMethodsAre405WithTheAllowedOnes() throws Exception {
        String key = PolykitArtifact.randomKey(64);
        for (String method : List.of("DELETE", "POST", "PATCH")) {
            HttpResponse<String> answer = server.send(server.request(path(key))
                    .method(method, HttpRequest.BodyPublishers.ofString("x")).build());
            assertEquals(405, answer.statusCode(), method);
            assertEquals("GET, HEAD, PUT", answer.headers().firstValue("Allow").orElseThrow(), method);
            assertTrue(answer.body().startsWith("{\"error\":\"" + method + " is not allowed"), answer.body());
        }
        HttpResponse<String> options = server.send(server.request(path(key))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(204, options.statusCode());
        assertEquals("GET, HEAD, PUT", options.headers().firstValue("Allow").orElseThrow());
        assertEquals(404, server.get(path(key)).statusCode(), "nothing was stored");
    }

    @Test
    void getOfAnUnknownKeyIs404() throws Exception {
        HttpResponse<String> get = server.get(path(PolykitArtifact.randomKey(64)));
        assertEquals(404, get.statusCode());
        assertEquals("{\"error\":\"Artifact not found\"}", get.body());
    }

    @Test
    void aMalformedKeyIs400OnEveryMethod() throws Exception {
        String bad = "not-a-key";
        assertEquals("{\"error\":\"Invalid cache key format: not-a-key (expected 32 to 128 hexadecimal characters)\"}", server.get(path(bad)).body());
        assertEquals(400, server.get(path(bad)).statusCode());
        assertEquals(400, server.put(path(bad), new PolykitArtifact("a".repeat(32)).bytes()).statusCode());
        assertEquals(400, server.put(path("ab".repeat(65)), new byte[0]).statusCode());
    }

    @Test
    void anInvalidArtifactIs422AndLeavesNothingBehind() throws Exception {
        String key = PolykitArtifact.randomKey(64);
        PolykitArtifact artifact = new PolykitArtifact(key);
        artifact.outputs.put("dist/index.js", "tampered".getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> put = server.put(path(key), artifact.bytes());
        assertEquals(422, put.statusCode());
        assertTrue(put.body().contains("SHA-256 mismatch for dist/index.js"), put.body());
        assertEquals(404, server.get(path(key)).statusCode());
        assertFalse(Files.exists(TestServer.polykitEntry(storage, key)));
        assertEquals(0, server.tmpEntries());
    }

    @Test
    void checksComeInOrderKeySizeContentExists() throws Exception {
        String key = PolykitArtifact.randomKey(64);
        byte[] valid = new PolykitArtifact(key).bytes();
        assertEquals(201, server.put(path(key), valid).statusCode());
        // invalid content for an existing key: 422 before 409
        assertEquals(422, server.put(path(key), "garbage".getBytes(StandardCharsets.UTF_8)).statusCode());
        // oversize body for an existing key: 413 before 422 and 409
        assertEquals(413, server.put(path(key), new byte[(int) MAX_SIZE + 1]).statusCode());
        // bad key with an oversize body: 400 first
        assertEquals(400, server.put(path("zz"), new byte[(int) MAX_SIZE + 1]).statusCode());
        assertEquals(409, server.put(path(key), valid).statusCode());
    }

    @Test
    void anOversizeContentLengthIsRefusedBeforeTheBodyIsSent() throws Exception {
        // A raw request that announces a large body and waits for 100-continue: the answer
        // must be 413 without the server asking for the body.
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PUT " + path(PolykitArtifact.randomKey(64)) + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Length: " + (MAX_SIZE * 10) + "\r\nExpect: 100-continue\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String statusLine = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 413", statusLine);
        }
    }

    @Test
    void aChunkedOversizeUploadIs413AndLeavesNothingBehind() throws Exception {
        String key = PolykitArtifact.randomKey(64);
        // A valid artifact head followed by more bytes than the limit allows, sent chunked
        // (ofInputStream has no length).
        byte[] head = new PolykitArtifact(key).bytes();
        InputStream body = new SequenceInputStream(new ByteArrayInputStream(head),
                new ByteArrayInputStream(new byte[(int) MAX_SIZE]));
        HttpResponse<String> put = server.send(server.request(path(key))
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> body)).build());
        assertEquals(413, put.statusCode());
        assertTrue(put.body().contains("exceeds the maximum size of " + MAX_SIZE), put.body());
        assertEquals(404, server.get(path(key)).statusCode());
        assertEquals(0, server.tmpEntries());
    }

    @Test
    void anOversizeFormEncodedUploadIs413Too() throws Exception {
        // curl --data-binary sends application/x-www-form-urlencoded, which Jersey reads as form
        // parameters before any resource runs.
        String key = PolykitArtifact.randomKey(64);
        HttpResponse<String> put = server.send(server.request(path(key))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[(int) MAX_SIZE + 100])).build());
        assertEquals(413, put.statusCode(), put.body());
        assertTrue(put.body().contains("exceeds the maximum size"), put.body());
        assertEquals(0, server.tmpEntries());
    }

    @Test
    void twentyConcurrentPutsOfOneKeyGiveOne201AndNineteen409() throws Exception {
        String key = PolykitArtifact.randomKey(64);
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            // Different but valid bodies, so that "the winner's bytes" is checkable.
            PolykitArtifact artifact = new PolykitArtifact(key, Map.of("out-" + i + ".txt",
                    ("writer " + i).repeat(1000).getBytes(StandardCharsets.UTF_8)));
            bodies.add(artifact.bytes());
        }
        List<Integer> statuses = putAll(bodies.stream().map(b -> Map.entry(key, b)).toList());

        assertEquals(1, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
        assertEquals(19, statuses.stream().filter(s -> s == 409).count(), statuses.toString());
        byte[] winner = bodies.get(statuses.indexOf(201));
        HttpResponse<byte[]> get = server.client().send(server.request(path(key)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertArrayEquals(winner, get.body());
        assertEquals(0, server.tmpEntries());
    }

    @Test
    void twentyConcurrentPutsOfDistinctKeysAllSucceed() throws Exception {
        List<Map.Entry<String, byte[]>> uploads = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String key = PolykitArtifact.randomKey(64);
            uploads.add(Map.entry(key, new PolykitArtifact(key).bytes()));
        }
        List<Integer> statuses = putAll(uploads);
        assertEquals(20, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
        for (Map.Entry<String, byte[]> upload : uploads) {
            HttpResponse<byte[]> get = server.client().send(server.request(path(upload.getKey())).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertArrayEquals(upload.getValue(), get.body());
        }
    }

    @Test
    void healthIsOkWhileStorageIsWritable() throws Exception {
        HttpResponse<String> health = server.get("/health");
        assertEquals(200, health.statusCode());
        assertEquals("{\"status\":\"healthy\",\"version\":\"" + io.polycache.config.Version.current() + "\"}",
                health.body());
    }

    @Test
    void unknownPathsAnswerJson404() throws Exception {
        HttpResponse<String> response = server.get("/v2/nothing");
        assertEquals(404, response.statusCode());
        assertTrue(response.body().startsWith("{\"error\":"), response.body());
    }

    private static List<Integer> putAll(List<Map.Entry<String, byte[]>> uploads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(uploads.size());
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> futures = new ArrayList<>();
        for (Map.Entry<String, byte[]> upload : uploads) {
            futures.add(pool.submit(() -> {
                start.await();
                return server.put(path(upload.getKey()), upload.getValue()).statusCode();
            }));
        }
        start.countDown();
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> future : futures) {
            statuses.add(future.get());
        }
        pool.shutdown();
        return statuses;
    }
}
