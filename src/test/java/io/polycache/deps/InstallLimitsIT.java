package io.polycache.deps;

import static io.polycache.testing.DepsClient.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.testing.DepsClient;
import io.polycache.testing.TestServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Time limits and the install queue, on a server with one install slot, one queue place and a
 * 3-second timeout (and the configured base URL, on a server of its own). A local "registry" that accepts connections and
 * never answers keeps real npm installs busy for as long as a test needs.
 */
class InstallLimitsIT {
    static final int TIMEOUT_SECONDS = 3;
    static final Map<String, String> VERSIONS = io.polycache.testing.HostToolchain.npmVersions();

    @TempDir
    static Path storage;

    static TestServer server;
    static DepsClient client;
    static ServerSocket stalledRegistry;
    static final List<Socket> held = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(storage, Map.of("polycache.install.concurrency", "1",
                "polycache.install.queueSize", "1",
                "polycache.install.timeoutSeconds", String.valueOf(TIMEOUT_SECONDS)));
        client = new DepsClient(server);
        stalledRegistry = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(() -> {
            while (!stalledRegistry.isClosed()) {
                try {
                    held.add(stalledRegistry.accept()); // and never answer
                } catch (IOException e) {
                    return;
                }
            }
        });
        accept.setDaemon(true);
        accept.start();
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
        stalledRegistry.close();
        for (Socket socket : held) {
            socket.close();
        }
    }

    private static String stalledProject(String name) {
        String packageJson = "{\"name\":\"" + name + "\",\"version\":\"1.0.0\",\"dependencies\":{\"stalled\":\"http://127.0.0.1:"
                + stalledRegistry.getLocalPort() + "/" + name + ".tgz\"}}";
        return DepsClient.jsonBody("npm", VERSIONS, Map.of("package.json", packageJson.getBytes(StandardCharsets.UTF_8)), null);
    }

    private static CompletableFuture<HttpResponse<String>> postAsync(String body) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return client.postJson(body);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Waits until this many installs have their workspace under tmp/. */
    private static void awaitInstallDirs(int count) throws Exception {
        for (int i = 0; i < 600; i++) { // a minute: npm starts slowly on a loaded machine
            try (var entries = Files.list(storage.resolve("tmp"))) {
                if (entries.filter(p -> p.getFileName().toString().startsWith("install-")).count() >= count) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError(count + " installs did not start");
    }

    @Test
    void beyondTheQueueRequestsGet503AndStalledInstallsAreKilledWith504() throws Exception {
        CompletableFuture<HttpResponse<String>> running = postAsync(stalledProject("stalled-a"));
        awaitInstallDirs(1);
        CompletableFuture<HttpResponse<String>> queued = postAsync(stalledProject("stalled-b"));
        awaitInstallDirs(2);

        HttpResponse<String> refused = client.postJson(stalledProject("stalled-c"));
        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals("30", refused.headers().firstValue("Retry-After").orElseThrow());

        for (CompletableFuture<HttpResponse<String>> install : List.of(running, queued)) {
            HttpResponse<String> response = install.get();
            assertEquals(504, response.statusCode(), response.body());
            assertEquals("Installation timed out after " + TIMEOUT_SECONDS + " seconds", parse(response).path("error").asText());
        }
        // The server runs in this JVM: no npm or node it started may be left.
        assertEquals(List.of(), ProcessHandle.current().descendants()
                .map(p -> p.info().commandLine().orElse("?")).toList());
        assertEquals(0, server.tmpEntries());
        assertEquals(0, DepsClient.countFiles(storage.resolve("indexes")));
        assertEquals(0, DepsClient.countFiles(storage.resolve("objects")));
    }

    @Test
    void downloadUrlsUseTheConfiguredBaseUrl(@TempDir Path ownStorage) throws Exception {
        // A server of its own with the default install timeout: on a loaded machine even an
        // install of nothing may take longer than the 3 seconds the other test needs.
        try (TestServer own = TestServer.start(ownStorage, Map.of("polycache.baseUrl", "https://cache.example.com/polycache/"))) {
            // No dependencies: npm only writes a lockfile, which becomes the whole bundle.
            byte[] packageJson = "{\"name\":\"empty\",\"version\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);
            HttpResponse<String> response = new DepsClient(own).postJson(
                    DepsClient.jsonBody("npm", VERSIONS, Map.of("package.json", packageJson), null));
            assertEquals(200, response.statusCode(), response.body());
            String hash = parse(response).path("hash").asText();
            assertEquals("https://cache.example.com/polycache/download/" + hash + ".zip", parse(response).path("download_url").asText());
            assertEquals(200, own.get("/download/" + hash + ".zip").statusCode());
            assertTrue(Files.exists(ownStorage.resolve("pm-cache/npm")), "npm's cache lives outside tmp/");
        }
    }
}
