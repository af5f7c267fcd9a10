package io.polycache.web.buildcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.store.EntryKey;
import io.polycache.store.Namespace;
import io.polycache.store.ShardLayout;
import io.polycache.store.WritePolicy;
import io.polycache.testing.BuildTool;
import io.polycache.testing.Scrape;
import io.polycache.testing.TestServer;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Gradle (Debian's 4.4.1) with the README's {@code settings.gradle}: a build uploads,
 * the same build from a clean state (no build directory, no project cache, local build cache
 * off) takes its task outputs from Polycache.
 */
class GradleIT {
    static final String KEY = "gradle-writer-key-1";

    @TempDir
    static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        BuildTool.require("gradle", "apt-get install gradle; .ci/run does");
        server = TestServer.start(dir.resolve("cache"), Map.of("polycache.apiKeys", KEY,
                "polycache.maxArtifactSize", "1m"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static BuildTool.Run gradle(Path project) throws Exception {
        Path userHome = Path.of("target", "gradle-it-home").toAbsolutePath();
        return BuildTool.run(project, Map.of(), 300, List.of("gradle", "--no-daemon", "--console=plain",
                "--gradle-user-home", userHome.toString(), "--build-cache", "compileJava")).ok();
    }

    @Test
    void aCleanBuildTakesItsOutputsFromTheRemoteCache() throws Exception {
        Path project = Files.createDirectories(dir.resolve("project"));
        Files.writeString(project.resolve("settings.gradle"), "rootProject.name = 'demo'\n"
                + "buildCache {\n"
                + "    local(DirectoryBuildCache) { enabled = false }\n"
                + "    remote(HttpBuildCache) {\n"
                + "        url = 'http://127.0.0.1:" + server.port() + "/gradle/'\n"
                + "        push = true\n"
                + "        credentials { username = 'ci'; password = '" + KEY + "' }\n"
                + "    }\n"
                + "}\n");
        Files.writeString(project.resolve("build.gradle"), "apply plugin: 'java'\n");
        Path source = Files.createDirectories(project.resolve("src/main/java/demo")).resolve("Hello.java");
        // A unique constant, so the first build is a remote miss.
        Files.writeString(source, "package demo;\npublic class Hello { public static final String ID = \""
                + UUID.randomUUID() + "\"; }\n");

        BuildTool.Run cold = gradle(project);
        assertFalse(cold.output().contains("FROM-CACHE"), cold.output());
        byte[] compiled = Files.readAllBytes(project.resolve("build/classes/java/main/demo/Hello.class"));

        deleteTree(project.resolve("build"));
        deleteTree(project.resolve(".gradle"));
        BuildTool.Run warm = gradle(project);

        assertTrue(warm.output().contains(":compileJava FROM-CACHE"), warm.output());
        assertTrue(warm.output().contains("1 actionable task: 1 from cache"), warm.output());
        assertTrue(java.util.Arrays.equals(compiled,
                Files.readAllBytes(project.resolve("build/classes/java/main/demo/Hello.class"))));
    }

    @Test
    void aMissingKeyIs401() throws Exception {
        var get = server.get("/gradle/c207f7289e9e441375677764e96134f5");
        assertEquals(401, get.statusCode());
        var put = server.send(server.request("/gradle/c207f7289e9e441375677764e96134f5")
                .PUT(HttpRequest.BodyPublishers.ofString("x")).build());
        assertEquals(401, put.statusCode());
    }

    @Test
    void anOverSizeUploadIs413AndStoresNothing() throws Exception {
        String path = "/gradle/" + UUID.randomUUID().toString().replace("-", "");
        var put = server.send(server.request(path).header("Authorization", "Bearer " + KEY)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[2 * 1024 * 1024])).build());
        assertEquals(413, put.statusCode());
        assertEquals(404, server.send(server.request(path).header("Authorization", "Bearer " + KEY).GET().build())
                .statusCode());
        assertEquals(0, server.tmpEntries());
    }

    @Test
    void aReadFaultIsAnsweredAsAMissAndCountedAsAnError() throws Exception {
        String key = UUID.randomUUID().toString().replace("-", "");
        String auth = "Bearer " + KEY;
        assertEquals(201, server.send(server.request("/gradle/" + key).header("Authorization", auth)
                .PUT(HttpRequest.BodyPublishers.ofString("entry")).build()).statusCode());
        Path file = new ShardLayout(server.storage()).entry(new Namespace("gradle", WritePolicy.REPLACE), new EntryKey(key));
        assertTrue(Files.isRegularFile(file), file.toString());
        // The entry turns into something that opens but cannot be read.
        Files.delete(file);
        Files.createDirectory(file);
        double before = readErrors(server, auth);

        var get = server.send(server.request("/gradle/" + key).header("Authorization", auth).GET().build());

        assertEquals(404, get.statusCode(), get.body());
        double after = readErrors(server, auth);
        assertEquals(before + 1, after);
        Files.delete(file);
    }

    static double readErrors(TestServer server, String auth) throws Exception {
        String exposition = server.send(server.request("/metrics").header("Authorization", auth).GET().build()).body();
        return Scrape.sample(exposition, "polycache_read_errors_total{protocol=\"gradle\"}");
    }

    static void deleteTree(Path root) throws Exception {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
