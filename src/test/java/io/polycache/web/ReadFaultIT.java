package io.polycache.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.testing.PolykitArtifact;
import io.polycache.testing.Scrape;
import io.polycache.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A read that fails in the store is answered as a failure and counted as one, never as a hit. */
class ReadFaultIT {
    @TempDir
    Path storage;

    @Test
    void aStoreFaultOnGetIsA500WithARequestIdAndCountsAsAnError() throws Exception {
        try (TestServer server = TestServer.start(storage)) {
            String key = PolykitArtifact.randomKey(64);
            assertEquals(201, server.put("/v1/artifacts/" + key, new PolykitArtifact(key).bytes()).statusCode());
            // The entry's file turns into something that opens but cannot be read.
            Path file = TestServer.polykitEntry(storage, key);
            Files.delete(file);
            Files.createDirectory(file);

            HttpResponse<String> get = server.get("/v1/artifacts/" + key);

            assertEquals(500, get.statusCode(), get.body());
            String id = get.headers().firstValue("X-Request-Id").orElseThrow();
            assertEquals("{\"error\":\"Internal server error (request " + id + ")\"}", get.body());
            assertTrue(get.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
            String metrics = server.get("/metrics").body();
            assertEquals(1, Scrape.sample(metrics, "polycache_read_errors_total{protocol=\"polykit\"}"));
            assertEquals(1, Scrape.sample(metrics,
                    "polycache_requests_total{method=\"GET\",protocol=\"polykit\",status=\"500\"}"));
            assertEquals(0, Scrape.sample(metrics, "polycache_cache_hits_total{protocol=\"polykit\"}"));

            // The server keeps serving, and the key heals once its file is gone.
            Files.delete(file);
            assertEquals(404, server.get("/v1/artifacts/" + key).statusCode());
            assertEquals(201, server.put("/v1/artifacts/" + key, new PolykitArtifact(key).bytes()).statusCode());
            assertEquals(200, server.get("/v1/artifacts/" + key).statusCode());
        }
    }

    @Test
    void aTornEntryIsAMissNeverAShortBody() throws Exception {
        try (TestServer server = TestServer.start(storage)) {
            String key = PolykitArtifact.randomKey(64);
            byte[] body = new PolykitArtifact(key).bytes();
            assertEquals(201, server.put("/v1/artifacts/" + key, body).statusCode());
            Path file = TestServer.polykitEntry(storage, key);
            try (var raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(body.length / 2);
            }

            assertEquals(404, server.send(server.request("/v1/artifacts/" + key)
                    .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()).build()).statusCode());
            assertEquals(404, server.get("/v1/artifacts/" + key).statusCode());
            assertEquals(201, server.put("/v1/artifacts/" + key, body).statusCode(), "a re-upload heals it");
        }
    }
}
