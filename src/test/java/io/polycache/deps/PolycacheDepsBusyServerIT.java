package io.polycache.deps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.polycache.testing.DepsClient;
import io.polycache.testing.HostToolchain;
import io.polycache.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * polycache-deps against a server whose one install slot and one queue place are taken: it
 * gets 503 with Retry-After, waits that long and asks again. The installs holding the slots
 * are real npm installs of a package whose tarball a local HTTP server holds back.
 */
class PolycacheDepsBusyServerIT {
    @TempDir
    Path dir;

    @Test
    void a503IsRetriedAfterItsRetryAfter() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch fetching = new CountDownLatch(1);
        byte[] tarball = tarball("slow", "1.0.0");
        HttpServer tarballs = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        tarballs.createContext("/", exchange -> {
            fetching.countDown();
            try {
                release.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
            exchange.sendResponseHeaders(200, tarball.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(tarball);
            }
        });
        tarballs.start();
        try (TestServer server = TestServer.start(dir.resolve("cache"),
                Map.of("polycache.install.concurrency", "1", "polycache.install.queueSize", "1"))) {
            DepsClient direct = new DepsClient(server);
            String url = "http://127.0.0.1:" + tarballs.getAddress().getPort();
            // One install takes the slot (held at its tarball), another the queue place.
            CompletableFuture<HttpResponse<String>> running = CompletableFuture.supplyAsync(() -> post(direct, url, "a"));
            assertTrue(fetching.await(60, TimeUnit.SECONDS), "the first install fetches its tarball");
            CompletableFuture<HttpResponse<String>> queued = CompletableFuture.supplyAsync(() -> post(direct, url, "b"));
            awaitWorkspaces(server, 2);

            Path project = Files.createDirectories(dir.resolve("project"));
            for (String file : List.of("package.json", "package-lock.json")) {
                Files.copy(Path.of("src/test/resources/deps/npm/bin-project").resolve(file), project.resolve(file));
            }
            Path stderr = dir.resolve("client.err");
            Process client = new ProcessBuilder("sh", Path.of("clients/polycache-deps").toAbsolutePath().toString(),
                    "--server", "http://127.0.0.1:" + server.port(), "--no-fallback", "npm")
                    .directory(project.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(stderr.toFile()).start();
            awaitLine(stderr, "polycache-deps: the server is busy (503); retrying in 30s");
            release.countDown();

            assertEquals(200, running.get(120, TimeUnit.SECONDS).statusCode());
            assertEquals(200, queued.get(120, TimeUnit.SECONDS).statusCode());
            assertTrue(client.waitFor(120, TimeUnit.SECONDS), "the client finished");
            String err = Files.readString(stderr);
            assertEquals(0, client.exitValue(), err);
            assertTrue(err.contains("restored node_modules/ from bundle"), err);
            assertFalse(err.contains("warning"), err);
            assertEquals("1.2.3", DepsClient.run(project, project.resolve("node_modules/.bin/semver").toString(), "1.2.3"));
        } finally {
            release.countDown();
            tarballs.stop(0);
        }
    }

    private static HttpResponse<String> post(DepsClient client, String url, String name) {
        String packageJson = "{\"name\":\"busy-" + name + "\",\"version\":\"1.0.0\",\"dependencies\":{\"slow\":\""
                + url + "/slow-" + name + ".tgz\"}}";
        try {
            return client.postJson(DepsClient.jsonBody("npm", HostToolchain.npmVersions(),
                    Map.of("package.json", packageJson.getBytes(StandardCharsets.UTF_8)), null));
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until {@code count} install workspaces exist under tmp/: each is made before its install is queued. */
    private static void awaitWorkspaces(TestServer server, int count) throws Exception {
        for (int i = 0; i < 600; i++) {
            try (var entries = Files.list(server.storage().resolve("tmp"))) {
                if (entries.filter(p -> p.getFileName().toString().startsWith("install-")).count() >= count) {
                    Thread.sleep(200); // from the workspace to the queue is a few statements
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError(count + " installs never started");
    }

    private static void awaitLine(Path file, String line) throws Exception {
        for (int i = 0; i < 600; i++) {
            if (Files.exists(file) && Files.readString(file).contains(line)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the client never said: " + line + "\n" + (Files.exists(file) ? Files.readString(file) : ""));
    }

    private static byte[] tarball(String name, String version) throws IOException {
        byte[] packageJson = ("{\"name\":\"" + name + "\",\"version\":\"" + version + "\"}").getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
            TarArchiveEntry entry = new TarArchiveEntry("package/package.json");
            entry.setSize(packageJson.length);
            tar.putArchiveEntry(entry);
            tar.write(packageJson);
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }
}
