package io.polycache.web.buildcache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.testing.BuildTool;
import io.polycache.testing.TestServer;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real ccache (4.7.5, HTTP storage built in) against Polycache, configured by the README's
 * {@code ccache.conf}: a compile with one empty cache directory uploads, the same compile with
 * another empty one is a remote hit and restores the same object file.
 */
class CcacheIT {
    static final String WRITER = "ccache-writer-key-1";
    static final String READER = "ccache-reader-key-1";

    @TempDir
    static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        BuildTool.require("ccache", "apt-get install ccache; .ci/run does");
        BuildTool.require("gcc", "apt-get install gcc; .ci/run does");
        Path keys = dir.resolve("keys.txt");
        Files.writeString(keys, WRITER + " rw\n" + READER + " ro\n");
        server = TestServer.start(dir.resolve("cache"), Map.of("polycache.apiKeysFile", keys.toString()));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Compiles hello.c in {@code project} with a fresh, empty ccache directory; returns the stats. */
    static String compile(Path project, Path config) throws Exception {
        Path cacheDir = Files.createTempDirectory(dir, "ccache-dir");
        Files.deleteIfExists(project.resolve("hello.o"));
        Map<String, String> env = Map.of("CCACHE_CONFIGPATH", config.toString(), "CCACHE_DIR", cacheDir.toString());
        BuildTool.run(project, env, 120, List.of("ccache", "gcc", "-c", "hello.c", "-o", "hello.o")).ok();
        return BuildTool.run(project, env, 60, List.of("ccache", "--print-stats")).ok().output();
    }

    static long stat(String stats, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\t(\\d+)$").matcher(stats);
        assertTrue(m.find(), name + " missing in:\n" + stats);
        return Long.parseLong(m.group(1));
    }

    static Path project(String name) throws Exception {
        Path project = Files.createDirectories(dir.resolve(name));
        // A unique source, so each case starts from a remote miss.
        Files.writeString(project.resolve("hello.c"), "#include <stdio.h>\nint main(void) { puts(\"" + UUID.randomUUID()
                + "\"); return 0; }\n");
        return project;
    }

    @ParameterizedTest
    @ValueSource(strings = {"subdirs", "flat", "bazel"})
    void aCompileWithAnEmptyLocalCacheIsARemoteHit(String layout) throws Exception {
        Path project = project(layout);
        Path config = project.resolve("ccache.conf");
        Files.writeString(config, "remote_storage = http://127.0.0.1:" + server.port() + "/ccache|layout=" + layout
                + "|bearer-token=" + WRITER + "\n");

        String cold = compile(project, config);
        assertEquals(0, stat(cold, "remote_storage_hit"), cold);
        assertEquals(2, stat(cold, "remote_storage_write"), cold);
        byte[] built = Files.readAllBytes(project.resolve("hello.o"));

        String warm = compile(project, config);
        assertEquals(1, stat(warm, "remote_storage_hit"), warm);
        assertEquals(0, stat(warm, "remote_storage_error"), warm);
        assertArrayEquals(built, Files.readAllBytes(project.resolve("hello.o")));
    }

    @Test
    void basicCredentialsInTheUrlWorkToo() throws Exception {
        Path project = project("basic");
        Path config = project.resolve("ccache.conf");
        Files.writeString(config, "remote_storage = http://ci:" + WRITER + "@127.0.0.1:" + server.port() + "/ccache/team-a\n");

        assertEquals(2, stat(compile(project, config), "remote_storage_write"));
        String warm = compile(project, config);
        assertEquals(1, stat(warm, "remote_storage_hit"), warm);
    }

    @Test
    void aReadOnlyKeyReadsButNeitherWritesNorDeletes() throws Exception {
        String path = "/ccache/4f/" + UUID.randomUUID().toString().replace("-", "");
        assertEquals(201, send(path, WRITER, "PUT", "one").statusCode());
        assertEquals(201, send(path, WRITER, "PUT", "two").statusCode(), "PUT replaces");
        var get = send(path, READER, "GET", null);
        assertEquals(200, get.statusCode());
        assertEquals("two", get.body());
        assertEquals(200, send(path, READER, "HEAD", null).statusCode());
        assertEquals(403, send(path, READER, "PUT", "three").statusCode());
        assertEquals(403, send(path, READER, "DELETE", null).statusCode());

        assertEquals(204, send(path, WRITER, "DELETE", null).statusCode());
        assertEquals(404, send(path, READER, "HEAD", null).statusCode());
        assertEquals(404, send(path, WRITER, "DELETE", null).statusCode());
        assertEquals(400, send("/ccache/4f/..%2Fx", WRITER, "PUT", "x").statusCode());
        assertEquals(400, send("/ccache/a~b", WRITER, "PUT", "x").statusCode());
    }

    static java.net.http.HttpResponse<String> send(String path, String key, String method, String body) throws Exception {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body);
        return server.send(server.request(path).header("Authorization", "Bearer " + key).method(method, publisher).build());
    }
}
