package io.polycache.web;

import static io.polycache.testing.Scrape.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.testing.PolykitArtifact;
import io.polycache.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsIT {
    @TempDir
    Path storage;

    @Test
    void countersMoveWithTheRequestsThatMoveThem() throws Exception {
        try (TestServer server = TestServer.start(storage)) {
            String before = server.get("/metrics").body();
            String key = PolykitArtifact.randomKey(64);
            byte[] body = new PolykitArtifact(key).bytes();

            server.put("/v1/artifacts/" + key, body);
            server.get("/v1/artifacts/" + key);
            server.get("/v1/artifacts/" + key);
            server.get("/v1/artifacts/" + PolykitArtifact.randomKey(64));
            server.put("/v1/artifacts/" + PolykitArtifact.randomKey(64), "junk".getBytes(StandardCharsets.UTF_8));

            HttpResponse<String> scrape = server.get("/metrics");
            assertEquals(200, scrape.statusCode());
            assertTrue(scrape.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"));
            String after = scrape.body();
            String put201 = "polycache_requests_total{method=\"PUT\",protocol=\"polykit\",status=\"201\"}";
            assertEquals(sample(before, put201) + 1, sample(after, put201));
            assertEquals(sample(before, "polycache_cache_hits_total{protocol=\"polykit\"}") + 2,
                    sample(after, "polycache_cache_hits_total{protocol=\"polykit\"}"));
            assertEquals(sample(before, "polycache_cache_misses_total{protocol=\"polykit\"}") + 1,
                    sample(after, "polycache_cache_misses_total{protocol=\"polykit\"}"));
            assertEquals(1, sample(after, "polycache_verification_failures_total{protocol=\"polykit\"}"));
            assertTrue(sample(after, "polycache_received_bytes_total{protocol=\"polykit\"}") >= body.length);
            assertTrue(sample(after, "polycache_sent_bytes_total{protocol=\"polykit\"}") >= 2.0 * body.length);
            assertEquals(1, sample(after, "polycache_storage_entries{kind=\"entry\"}"));
            assertEquals(1, sample(after, "polycache_protocol_entries{protocol=\"polykit\"}"));
            assertTrue(sample(after, "polycache_storage_used_bytes") >= body.length);
            // Bounded by default: a quarter of the filesystem holding the storage.
            assertEquals(java.nio.file.Files.getFileStore(storage).getTotalSpace() / 100 * 25,
                    sample(after, "polycache_storage_limit_bytes"));
            assertTrue(after.contains("jvm_memory_used_bytes"), "no JVM metrics");
            assertTrue(after.contains("tomcat_threads_busy_threads"), "no Tomcat thread-pool metrics");
        }
    }

    @Test
    void metricsNeedAKeyUnlessMadePublic() throws Exception {
        try (TestServer guarded = TestServer.start(storage.resolve("a"), Map.of("polycache.apiKeys", "k1"))) {
            assertEquals(401, guarded.get("/metrics").statusCode());
            assertEquals(401, guarded.get("/v1/stats").statusCode());
        }
        try (TestServer open = TestServer.start(storage.resolve("b"),
                Map.of("polycache.apiKeys", "k1", "polycache.metrics.public", "true"))) {
            assertEquals(200, open.get("/metrics").statusCode());
            assertEquals(401, open.get("/v1/stats").statusCode());
        }
    }

    @Test
    void statsReportEntriesBytesAndHitRatio() throws Exception {
        try (TestServer server = TestServer.start(storage, Map.of("polycache.maxCacheSize", "10m"))) {
            String key = PolykitArtifact.randomKey(64);
            server.put("/v1/artifacts/" + key, new PolykitArtifact(key).bytes());
            server.get("/v1/artifacts/" + key);
            server.get("/v1/artifacts/" + PolykitArtifact.randomKey(64));
            com.fasterxml.jackson.databind.JsonNode stats =
                    new com.fasterxml.jackson.databind.ObjectMapper().readTree(server.get("/v1/stats").body());
            assertEquals(1, stats.at("/artifacts/count").asLong());
            assertEquals(stats.get("used_bytes").asLong(), stats.at("/artifacts/bytes").asLong());
            assertEquals(10485760L, stats.get("limit_bytes").asLong());
            assertEquals(11010048L, stats.get("hard_limit_bytes").asLong());
            assertEquals(0.5, stats.get("hit_ratio").asDouble());
            assertTrue(stats.has("local_tier") && stats.get("local_tier").isNull(), "no local tier on a node without S3");
        }
    }
}
