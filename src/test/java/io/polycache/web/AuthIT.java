package io.polycache.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.testing.DepsClient;
import io.polycache.testing.HostToolchain;
import io.polycache.testing.PolykitArtifact;
import io.polycache.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.security.MessageDigest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthIT {
    static final String WRITER = "writer-key-0123";
    static final String READER = "reader-key-4567";

    @TempDir
    static Path dir;

    static Path keyFile;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        keyFile = dir.resolve("keys.txt");
        Files.writeString(keyFile, "# test keys\nsha256:" + sha256(WRITER) + "\n" + READER + " ro\n");
        server = TestServer.start(dir.resolve("cache"), Map.of("polycache.apiKeysFile", keyFile.toString()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static HttpResponse<String> put(String key, String authorization) throws Exception {
        HttpRequest.Builder request = server.request("/v1/artifacts/" + key)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new PolykitArtifact(key).bytes()));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return server.send(request.build());
    }

    private static HttpResponse<String> get(String key, String authorization) throws Exception {
        HttpRequest.Builder request = server.request("/v1/artifacts/" + key).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return server.send(request.build());
    }

    private static void assertRefused(HttpResponse<String> response, int status, String error) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("{\"error\":\"" + error + "\"}", response.body());
        if (status == 401) {
            assertEquals("Bearer realm=\"polycache\"", response.headers().firstValue("WWW-Authenticate").orElseThrow());
        }
    }

    @Test
    void noHeaderIs401Missing() throws Exception {
        assertRefused(get(PolykitArtifact.randomKey(64), null), 401, "Missing Authorization Bearer <APIKEY>");
        assertRefused(put(PolykitArtifact.randomKey(64), null), 401, "Missing Authorization Bearer <APIKEY>");
    }

    @Test
    void anotherSchemeOrMalformedHeaderIs401InvalidFormat() throws Exception {
        String key = PolykitArtifact.randomKey(64);
        assertRefused(get(key, "Token " + WRITER), 401, "Invalid authorization format. Use Bearer <APIKEY>");
        assertRefused(get(key, "Bearer"), 401, "Invalid authorization format. Use Bearer <APIKEY>");
        assertRefused(get(key, "Basic ###"), 401, "Invalid authorization format. Use Bearer <APIKEY>");
    }

    @Test
    void anUnknownKeyIs401Invalid() throws Exception {
        assertRefused(get(PolykitArtifact.randomKey(64), "Bearer nope"), 401, "Invalid API key");
        assertRefused(put(PolykitArtifact.randomKey(64), "Bearer " + sha256(WRITER)), 401, "Invalid API key");
    }

    @Test
    void aWriterKeyWritesAndReadsWithBearerOrBasic() throws Exception {
        String key = PolykitArtifact.randomKey(64);
        assertEquals(201, put(key, "Bearer " + WRITER).statusCode());
        assertEquals(200, get(key, "Bearer " + WRITER).statusCode());
        String basic = "Basic " + Base64.getEncoder().encodeToString(("gradle:" + WRITER).getBytes(StandardCharsets.UTF_8));
        assertEquals(200, get(key, basic).statusCode());
        String other = PolykitArtifact.randomKey(64);
        assertEquals(201, put(other, basic).statusCode());
    }

    @Test
    void aReadOnlyKeyReadsButCannotWrite() throws Exception {
        String key = PolykitArtifact.randomKey(64);
        assertEquals(201, put(key, "Bearer " + WRITER).statusCode());
        assertEquals(200, get(key, "Bearer " + READER).statusCode());
        HttpResponse<String> head = server.send(server.request("/v1/artifacts/" + key)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).header("Authorization", "Bearer " + READER).build());
        assertEquals(200, head.statusCode());
        assertRefused(put(PolykitArtifact.randomKey(64), "Bearer " + READER), 403, "This API key is read-only");
        HttpResponse<String> post = server.send(server.request("/v1/artifacts/" + key).header("Authorization", "Bearer " + READER)
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertRefused(post, 403, "This API key is read-only");
        HttpResponse<String> delete = server.send(server.request("/v1/artifacts/" + key)
                .header("Authorization", "Bearer " + READER).DELETE().build());
        assertRefused(delete, 403, "This API key is read-only");
    }

    @Test
    void aReadOnlyKeyAsksForABundleButCannotStartAnInstall() throws Exception {
        String body = DepsClient.jsonBody("npm", HostToolchain.npmVersions(),
                Map.of("package.json", "{\"name\":\"ro-probe\",\"version\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8)), null);
        HttpResponse<String> post = server.send(server.request("/v1/cache").header("Authorization", "Bearer " + READER)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertEquals(403, post.statusCode(), post.body());
        assertEquals("a read-only key cannot start an install", DepsClient.parse(post).path("error").asText());
        assertEquals(0, server.tmpEntries());
        // A read-only key's bad request is still told what is wrong.
        HttpResponse<String> bad = server.send(server.request("/v1/cache").header("Authorization", "Bearer " + READER)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertEquals(400, bad.statusCode(), bad.body());
    }

    @Test
    void healthNeedsNoKey() throws Exception {
        assertEquals(200, server.get("/health").statusCode());
    }

    @Test
    void addingAndRevokingKeysTakesEffectWithoutARestart() throws Exception {
        String key = PolykitArtifact.randomKey(64);
        String added = "added-key-89ab";
        assertRefused(put(key, "Bearer " + added), 401, "Invalid API key");
        String original = Files.readString(keyFile);

        Files.writeString(keyFile, original + added + "\n");
        assertEquals(201, awaitStatus(() -> put(key, "Bearer " + added), 201));

        Files.writeString(keyFile, original);
        assertEquals(401, awaitStatus(() -> get(key, "Bearer " + added), 401));
        assertEquals(200, get(key, "Bearer " + WRITER).statusCode());
    }

    interface Call {
        HttpResponse<String> run() throws Exception;
    }

    /** Repeats a call until it answers the status, for at most ten seconds. */
    private static int awaitStatus(Call call, int status) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        int last;
        do {
            last = call.run().statusCode();
            if (last == status) {
                return last;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        return last;
    }

    @Test
    void anonymousReadLetsReadsThroughButNotWrites() throws Exception {
        try (TestServer anonymous = TestServer.start(dir.resolve("anon"),
                Map.of("polycache.apiKeys", WRITER, "polycache.anonymousRead", "true"))) {
            String key = PolykitArtifact.randomKey(64);
            HttpResponse<String> unkeyedPut = anonymous.put("/v1/artifacts/" + key, new PolykitArtifact(key).bytes());
            assertRefused(unkeyedPut, 401, "Missing Authorization Bearer <APIKEY>");
            assertEquals(404, anonymous.get("/v1/artifacts/" + key).statusCode());
            HttpResponse<String> keyedPut = anonymous.send(anonymous.request("/v1/artifacts/" + key)
                    .header("Authorization", "Bearer " + WRITER)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(new PolykitArtifact(key).bytes())).build());
            assertEquals(201, keyedPut.statusCode());
            assertEquals(200, anonymous.get("/v1/artifacts/" + key).statusCode());
        }
    }

    @Test
    void withoutPublicOrKeysTheWebappRefusesToStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TestServer.start(dir.resolve("refused"), Map.of("polycache.public", "false")));
        assertTrue(e.getMessage().contains("did not start"), e.getMessage());
    }

    @Test
    void aMalformedKeyFileRefusesStartUp() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad-keys.txt"), "ok\nkey admin\n");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TestServer.start(dir.resolve("refused2"), Map.of("polycache.apiKeysFile", bad.toString())));
        assertTrue(e.getMessage().contains("did not start"), e.getMessage());
    }
}
