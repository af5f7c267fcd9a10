package io.polycache.web.nx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.store.EntryKey;
import io.polycache.store.ShardLayout;
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

/**
 * The status codes the Nx CLI depends on, over HTTP: a PUT is exactly 200 (any other 2xx fails
 * the task), an existing hash 409, a read-only key's PUT 403, every refusal text/plain and
 * saying what to do, and a GET only ever 200 or 404 for a good key.
 */
class NxApiIT {
    static final String RW = "nx-api-rw";
    static final String RO = "nx-api-ro";

    @TempDir
    static Path storage;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(storage, Map.of("polycache.apiKeys", RW + " rw," + RO + " ro",
                "polycache.maxArtifactSize", "1k"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> send(String method, String path, String key, byte[] body) throws Exception {
        HttpRequest.Builder request = server.request(path).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return server.send(request.build());
    }

    private static void assertPlainText(HttpResponse<String> response, String saying) {
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
                response.headers().toString());
        assertTrue(response.body().contains(saying), response.body());
    }

    @Test
    void aPutIsExactly200ThenTheHashAnswers409AndTheFirstBodyStays() throws Exception {
        String path = "/nx/v1/cache/17893152701328275945";
        HttpResponse<String> put = send("PUT", path, RW, "first".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, put.statusCode(), put.body());

        HttpResponse<String> again = send("PUT", path, RW, "second".getBytes(StandardCharsets.UTF_8));
        assertEquals(409, again.statusCode());
        assertPlainText(again, "Nx treats this as success");

        HttpResponse<String> get = send("GET", path, RO, null);
        assertEquals(200, get.statusCode());
        assertEquals("first", get.body());
        assertEquals("application/octet-stream", get.headers().firstValue("Content-Type").orElseThrow());
    }

    @Test
    void aReadOnlyKeysPutIs403AndStoresNothing() throws Exception {
        String path = "/nx/v1/cache/1";
        HttpResponse<String> put = send("PUT", path, RO, "x".getBytes(StandardCharsets.UTF_8));
        assertEquals(403, put.statusCode());
        assertPlainText(put, "Uploads need a read-write (rw) key");
        assertEquals(404, send("GET", path, RO, null).statusCode());
    }

    @Test
    void aMissingKeyIs401SayingWhichSettingToSet() throws Exception {
        HttpResponse<String> get = send("GET", "/nx/v1/cache/2", null, null);
        assertEquals(401, get.statusCode());
        assertPlainText(get, "Set NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN");
    }

    @Test
    void anUnknownHashIsA404() throws Exception {
        HttpResponse<String> get = send("GET", "/nx/v1/cache/3", RW, null);
        assertEquals(404, get.statusCode());
        assertPlainText(get, "Not in the cache");
    }

    @Test
    void aHashThatIsNotAnUnsigned64BitNumberIs400AndStoresNothing() throws Exception {
        for (String hash : new String[] {"18446744073709551616", "12a", "-1", "1.5", ""}) {
            HttpResponse<String> put = send("PUT", "/nx/v1/cache/" + hash, RW, "x".getBytes(StandardCharsets.UTF_8));
            assertEquals(400, put.statusCode(), hash + ": " + put.body());
            assertPlainText(put, "Not an Nx task hash");
        }
        assertEquals(0, server.tmpEntries());
    }

    @Test
    void aServerUrlWithATrailingSlashStillWorks() throws Exception {
        // NX_SELF_HOSTED_REMOTE_CACHE_SERVER=<base>/nx/ makes Nx ask for /nx//v1/cache/...
        assertEquals(200, send("PUT", "/nx//v1/cache/4", RW, "four".getBytes(StandardCharsets.UTF_8)).statusCode());
        assertEquals("four", send("GET", "/nx/v1/cache/4", RW, null).body());
    }

    @Test
    void anUploadOverTheSizeLimitIs413InText() throws Exception {
        HttpResponse<String> put = send("PUT", "/nx/v1/cache/5", RW, new byte[2048]);
        assertEquals(413, put.statusCode());
        assertPlainText(put, "polycache.maxArtifactSize");
        assertEquals(404, send("GET", "/nx/v1/cache/5", RW, null).statusCode());
        assertEquals(0, server.tmpEntries());
    }

    @Test
    void otherMethodsAre405() throws Exception {
        HttpResponse<String> delete = send("DELETE", "/nx/v1/cache/6", RW, null);
        assertEquals(405, delete.statusCode());
        assertEquals("GET, HEAD, PUT", delete.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void aReadFaultIsAnsweredAsAMissAndCountedAsAReadError() throws Exception {
        String path = "/nx/v1/cache/7";
        assertEquals(200, send("PUT", path, RW, "seven".getBytes(StandardCharsets.UTF_8)).statusCode());
        Path file = new ShardLayout(storage).entry(NxFilter.NAMESPACE, new EntryKey("7"));
        Files.delete(file);
        Files.createDirectory(file);
        String before = metrics();

        HttpResponse<String> get = send("GET", path, RW, null);

        assertEquals(404, get.statusCode(), get.body());
        String after = metrics();
        assertEquals(1, Scrape.sample(after, "polycache_read_errors_total{protocol=\"nx\"}")
                - Scrape.sample(before, "polycache_read_errors_total{protocol=\"nx\"}"));
        assertEquals(0, Scrape.sample(after, "polycache_requests_total{method=\"GET\",protocol=\"nx\",status=\"500\"}"));
        Files.delete(file);
        assertEquals(404, send("GET", path, RW, null).statusCode(), "the server keeps serving");
    }

    private static String metrics() throws Exception {
        return send("GET", "/metrics", RW, null).body();
    }
}
