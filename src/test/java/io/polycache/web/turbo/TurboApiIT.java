package io.polycache.web.turbo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polycache.testing.Scrape;
import io.polycache.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Turborepo v8 API over HTTP: statuses, replayed headers, teams and turbo's error shape. */
class TurboApiIT {
    static final String RW = "turbo-api-rw";
    static final String RO = "turbo-api-ro";
    static final String WEB = "turbo-api-web";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path storage;
    @TempDir
    static Path keys;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        Path file = keys.resolve("keys");
        Files.writeString(file, RW + "\n" + RO + " ro\n" + WEB + " teams=web,mobile\n");
        server = TestServer.start(storage, Map.of("polycache.apiKeysFile", file.toString(),
                "polycache.maxArtifactSize", "4k"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> send(String method, String path, String key, String body, String... headers)
            throws Exception {
        HttpRequest.Builder request = server.request(path).method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return server.send(request.build());
    }

    /** turbo 2.11 reads only {"error": {"code", "message"}}. */
    private static JsonNode assertTurboError(HttpResponse<String> response, int status, String code) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertEquals(code, error.path("code").asText(), response.body());
        assertTrue(error.path("message").isTextual(), response.body());
        return error;
    }

    @Test
    void anUploadIsReplayedWithItsDurationAndTagOnGetAndHead() throws Exception {
        String path = "/turbo/v8/artifacts/39b8b20f891f19ed?slug=replay";
        HttpResponse<String> put = send("PUT", path, RW, "zstd bytes", "x-artifact-duration", "559",
                "x-artifact-tag", "3oiEoslu/cGs55KLX3PCqHYw=", "Content-Type", "application/octet-stream");
        assertEquals(202, put.statusCode(), put.body());
        assertTrue(JSON.readTree(put.body()).path("urls").isArray(), put.body());

        for (String method : new String[] {"GET", "HEAD"}) {
            HttpResponse<String> read = send(method, path, RO, null);
            assertEquals(200, read.statusCode(), method);
            assertEquals("559", read.headers().firstValue("x-artifact-duration").orElseThrow(), method);
            assertEquals("3oiEoslu/cGs55KLX3PCqHYw=", read.headers().firstValue("x-artifact-tag").orElseThrow(), method);
            assertEquals("10", read.headers().firstValue("Content-Length").orElseThrow(), method);
            assertEquals(method.equals("GET") ? "zstd bytes" : "", read.body());
        }
    }

    @Test
    void aSecondUploadOfAHashReplacesTheFirst() throws Exception {
        String path = "/turbo/v8/artifacts/0011?slug=replace";
        assertEquals(202, send("PUT", path, RW, "first", "x-artifact-tag", "one").statusCode());
        assertEquals(202, send("PUT", path, RW, "second", "x-artifact-tag", "two").statusCode());
        HttpResponse<String> get = send("GET", path, RW, null);
        assertEquals("second", get.body());
        assertEquals("two", get.headers().firstValue("x-artifact-tag").orElseThrow());
    }

    @Test
    void teamsAreNamespacesAndTheTeamIdWinsOverTheSlug() throws Exception {
        assertEquals(202, send("PUT", "/turbo/v8/artifacts/aa01?slug=alpha", RW, "a").statusCode());
        assertTurboError(send("GET", "/turbo/v8/artifacts/aa01?slug=beta", RW, null), 404, "not_found");
        assertEquals("a", send("GET", "/turbo/v8/artifacts/aa01?teamId=alpha&slug=beta", RW, null).body());
        assertTurboError(send("GET", "/turbo/v8/artifacts/aa01?teamId=beta&slug=alpha", RW, null), 404, "not_found");
    }

    @Test
    void aKeyOutsideItsTeamsIs403InTurbosShapeAndInsideItWorks() throws Exception {
        JsonNode error = assertTurboError(send("GET", "/turbo/v8/artifacts/ab?slug=docs", WEB, null), 403, "forbidden");
        assertTrue(error.path("message").asText().contains("team 'docs'"), error.toString());
        assertTurboError(send("PUT", "/turbo/v8/artifacts/ab?slug=docs", WEB, "x"), 403, "forbidden");
        assertTurboError(send("GET", "/turbo/v8/artifacts/status?slug=docs", WEB, null), 403, "forbidden");
        assertEquals(202, send("PUT", "/turbo/v8/artifacts/ab?slug=mobile", WEB, "x").statusCode());
        assertEquals(200, send("GET", "/turbo/v8/artifacts/ab?slug=mobile", WEB, null).statusCode());
        assertTurboError(send("GET", "/turbo/v8/artifacts/ab?slug=docs", RW, null), 404, "not_found");
    }

    @Test
    void refusalsAreInTurbosErrorShape() throws Exception {
        assertTurboError(send("GET", "/turbo/v8/artifacts/ab?slug=web", null, null), 401, "unauthorized");
        assertTurboError(send("GET", "/turbo/v8/artifacts/ab?slug=web", "wrong", null), 401, "unauthorized");
        assertTurboError(send("PUT", "/turbo/v8/artifacts/ab?slug=web", RO, "x"), 403, "forbidden");
        assertTurboError(send("GET", "/turbo/v8/artifacts/not-hex?slug=web", RW, null), 400, "bad_request");
        assertTurboError(send("GET", "/turbo/v8/artifacts/ab", RW, null), 400, "bad_request");
        assertTurboError(send("GET", "/turbo/v8/artifacts/ab?slug=..", RW, null), 400, "bad_request");
        assertTurboError(send("GET", "/turbo/v9/whatever?slug=web", RW, null), 404, "not_found");
        HttpResponse<String> delete = send("DELETE", "/turbo/v8/artifacts/ab?slug=web", RW, null);
        assertTurboError(delete, 405, "method_not_allowed");
        assertEquals("GET, HEAD, PUT, OPTIONS", delete.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void malformedOrOversizedUploadsStoreNothing() throws Exception {
        String path = "/turbo/v8/artifacts/cc?slug=bad";
        assertTurboError(send("PUT", path, RW, "x", "x-artifact-tag", "t".repeat(601)), 400, "bad_request");
        assertTurboError(send("PUT", path, RW, "x", "x-artifact-duration", "soon"), 400, "bad_request");
        HttpResponse<String> large = send("PUT", path, RW, "x".repeat(5000));
        assertTurboError(large, 413, "payload_too_large");
        assertTurboError(send("GET", path, RW, null), 404, "not_found");
        assertEquals(0, server.tmpEntries());
    }

    @Test
    void theStatusIsEnabled() throws Exception {
        HttpResponse<String> status = send("GET", "/turbo/v8/artifacts/status?slug=web", RO, null);
        assertEquals(200, status.statusCode());
        assertEquals("{\"status\":\"enabled\"}", status.body());
    }

    @Test
    void theQueryAnswersEachHashWithItsSizeDurationAndTagOrNullEvenForAReadOnlyKey() throws Exception {
        assertEquals(202, send("PUT", "/turbo/v8/artifacts/dd01?slug=query", RW, "12345",
                "x-artifact-duration", "42", "x-artifact-tag", "sig").statusCode());
        HttpResponse<String> query = send("POST", "/turbo/v8/artifacts?slug=query", RO,
                "{\"hashes\":[\"dd01\",\"dd02\"]}", "Content-Type", "application/json");
        assertEquals(200, query.statusCode(), query.body());
        assertEquals(JSON.readTree("{\"dd01\":{\"size\":5,\"taskDurationMs\":42,\"tag\":\"sig\"},\"dd02\":null}"),
                JSON.readTree(query.body()));
        assertTurboError(send("POST", "/turbo/v8/artifacts?slug=query", RW, "{\"hashes\":\"dd01\"}"), 400,
                "bad_request");
        assertTurboError(send("POST", "/turbo/v8/artifacts?slug=query", RW, "[1,2"), 400, "bad_request");
    }

    @Test
    void eventsAreCountedBySourceAndEventAndABadBatchCountsNothing() throws Exception {
        String series = "polycache_client_events_total{event=\"hit\",protocol=\"turbo\",source=\"remote\"}";
        double before = Scrape.sample(metrics(), series);
        String events = "[{\"sessionId\":\"s\",\"source\":\"REMOTE\",\"event\":\"HIT\",\"hash\":\"ab\",\"duration\":5},"
                + "{\"sessionId\":\"s\",\"source\":\"REMOTE\",\"event\":\"HIT\",\"hash\":\"cd\",\"duration\":1}]";
        assertEquals(200, send("POST", "/turbo/v8/artifacts/events?slug=web", RO, events).statusCode());
        assertEquals(before + 2, Scrape.sample(metrics(), series));

        String bad = "[{\"source\":\"REMOTE\",\"event\":\"HIT\"},{\"source\":\"ELSEWHERE\",\"event\":\"HIT\"}]";
        assertTurboError(send("POST", "/turbo/v8/artifacts/events?slug=web", RW, bad), 400, "bad_request");
        assertEquals(before + 2, Scrape.sample(metrics(), series));
    }

    @Test
    void aPreflightNeedsNoKeyAndAllowsTheAuthorizationHeader() throws Exception {
        HttpResponse<String> options = send("OPTIONS", "/turbo/v8/artifacts/ab?slug=web", null, null,
                "Access-Control-Request-Method", "GET",
                "Access-Control-Request-Headers", "Authorization, Content-Type, User-Agent, x-artifact-duration");
        assertEquals(200, options.statusCode());
        String allowed = options.headers().firstValue("Access-Control-Allow-Headers").orElseThrow();
        assertTrue(allowed.contains("Authorization") && allowed.contains("x-artifact-tag"), allowed);
        assertTrue(options.headers().firstValue("Access-Control-Allow-Methods").orElseThrow().contains("PUT"));
    }

    private static String metrics() throws Exception {
        return send("GET", "/metrics", RW, null).body();
    }
}
