package io.polycache.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polycache.config.Version;
import io.polycache.testing.Chromium;
import io.polycache.testing.PolykitArtifact;
import io.polycache.testing.TestServer;
import java.io.DataInputStream;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The status page at {@code /}, as a real headless Chromium renders it. */
class StatusPageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STAT = Pattern.compile("<span data-stat=\"([^\"]+)\">([^<]*)</span>");

    @TempDir
    Path dir;

    @Test
    void chromiumShowsTheFiguresOfStats() throws Exception {
        try (TestServer server = TestServer.start(dir.resolve("cache"), Map.of("polycache.maxCacheSize", "1m"))) {
            String key = PolykitArtifact.randomKey(64);
            assertEquals(201, server.put("/v1/artifacts/" + key, new PolykitArtifact(key).bytes()).statusCode());
            assertEquals(200, server.get("/v1/artifacts/" + key).statusCode());
            assertEquals(200, server.get("/v1/artifacts/" + key).statusCode());
            assertEquals(404, server.get("/v1/artifacts/" + PolykitArtifact.randomKey(64)).statusCode());

            Chromium chromium = new Chromium(dir);
            String url = server.uri("/").toString();
            Path png = Path.of("target", "status-page.png");
            Files.deleteIfExists(png);
            chromium.screenshot(url, png, 412, 900); // a phone's width
            assertEquals(List.of(412, 900), pngSize(png));
            String dom = chromium.dumpDom(url);
            JsonNode stats = JSON.readTree(server.get("/v1/stats").body());

            Map<String, String> shown = new LinkedHashMap<>();
            Matcher m = STAT.matcher(dom);
            while (m.find()) {
                shown.put(m.group(1), m.group(2));
            }
            // Every figure shown is the one /v1/stats gives.
            for (Map.Entry<String, String> figure : shown.entrySet()) {
                JsonNode value = stats.at("/" + figure.getKey());
                assertFalse(value.isMissingNode(), figure.getKey() + " is not in /v1/stats");
                Object plain = value.isNull() ? null : value.isIntegralNumber() ? (Object) value.asLong()
                        : value.isNumber() ? (Object) value.asDouble() : value.asText();
                assertEquals(StatusPageResource.format(figure.getKey(), plain), figure.getValue(), figure.getKey());
            }
            // And the page shows every figure a person needs, with these values.
            assertEquals(Version.current(), shown.get("version"));
            assertEquals("1", shown.get("entries/count"));
            assertEquals(String.format("%,d", stats.at("/entries/bytes").asLong()), shown.get("entries/bytes"));
            assertEquals("1,048,576", shown.get("limit_bytes"));
            assertEquals("2", shown.get("protocols/polykit/hits"));
            assertEquals("1", shown.get("protocols/polykit/misses"));
            assertEquals("66.7%", shown.get("protocols/polykit/hit_ratio"));
            for (String required : List.of("used_bytes", "evictions", "evicted_bytes", "indexes/count", "bundles/count",
                    "blobs/count", "installs_in_flight", "installs_since_start/run", "installs_since_start/failed",
                    "hits", "misses", "hit_ratio")) {
                assertTrue(shown.containsKey(required), required + " is not shown: " + shown.keySet());
            }
            assertTrue(dom.contains("<meta http-equiv=\"refresh\" content=\"10\">"), "the page refreshes itself");
            assertTrue(dom.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
            // Nothing from elsewhere: no scripts, no stylesheets or images to fetch, links relative.
            assertFalse(dom.contains("<script"), "no script");
            assertFalse(dom.contains(" src="), "no external asset");
            assertFalse(dom.contains("<link"), "no external stylesheet");
            Matcher links = Pattern.compile("href=\"([^\"]*)\"").matcher(dom);
            int linkCount = 0;
            while (links.find()) {
                assertTrue(List.of("metrics", "v1/stats").contains(links.group(1)), links.group(1));
                linkCount++;
            }
            assertEquals(2, linkCount);
        }
    }

    @Test
    void thePageFollowsTheAccessRulesOfStats() throws Exception {
        try (TestServer server = TestServer.start(dir.resolve("cache"), Map.of("polycache.apiKeys", "page-key ro"))) {
            for (String path : List.of("/", "/v1/stats")) {
                HttpResponse<String> anonymous = server.get(path);
                assertEquals(401, anonymous.statusCode(), path);
                assertEquals("{\"error\":\"Missing Authorization Bearer <APIKEY>\"}", anonymous.body());
                HttpResponse<String> withKey = server.send(server.request(path)
                        .header("Authorization", "Bearer page-key").GET().build());
                assertEquals(200, withKey.statusCode(), path);
            }
            HttpResponse<String> page = server.send(server.request("/").header("Authorization", "Bearer page-key").GET().build());
            assertEquals("text/html;charset=utf-8", page.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("no-store", page.headers().firstValue("Cache-Control").orElseThrow());
            assertTrue(page.body().contains("<span data-stat=\"version\">" + Version.current() + "</span>"), page.body());
        }
        try (TestServer server = TestServer.start(dir.resolve("cache2"),
                Map.of("polycache.apiKeys", "page-key", "polycache.anonymousRead", "true"))) {
            assertEquals(200, server.get("/").statusCode());
            assertEquals(200, server.get("/v1/stats").statusCode());
        }
    }

    @Test
    void figuresAndTextAreEscaped() {
        assertEquals("&lt;script&gt;&amp;&quot;&#39;", StatusPageResource.escape("<script>&\"'"));
    }

    /** Width and height from the PNG's IHDR chunk. */
    private static List<Integer> pngSize(Path png) throws Exception {
        try (InputStream in = Files.newInputStream(png); DataInputStream data = new DataInputStream(in)) {
            byte[] signature = data.readNBytes(8);
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, signature,
                    Arrays.toString(signature));
            data.readInt(); // chunk length
            assertEquals("IHDR", new String(data.readNBytes(4), java.nio.charset.StandardCharsets.US_ASCII));
            return List.of(data.readInt(), data.readInt());
        }
    }
}
