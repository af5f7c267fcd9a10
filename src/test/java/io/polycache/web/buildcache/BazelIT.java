package io.polycache.web.buildcache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.testing.BuildTool;
import io.polycache.testing.TestServer;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Bazel (Debian's bazel-bootstrap 4.2.3) against Polycache's HTTP cache, configured by
 * the README's {@code .bazelrc}. One Bazel server serves every case (same startup options, an
 * output base under target/, a small heap) and is shut down at the end.
 */
class BazelIT {
    static final String KEY = "bazel-writer-key-1";
    static final String HIT = "1 remote cache hit";

    @TempDir
    static Path dir;
    static TestServer server;
    static Path outputBase;
    /** One workspace for every case: a Bazel server belongs to one workspace and output base. */
    static Path ws;
    static boolean started;

    @BeforeAll
    static void start() throws Exception {
        BuildTool.require("bazel", "apt-get install bazel-bootstrap; .ci/run does");
        server = TestServer.start(dir.resolve("cache"), Map.of("polycache.apiKeys", KEY));
        outputBase = Path.of("target", "bazel-it", UUID.randomUUID().toString()).toAbsolutePath();
        Files.createDirectories(outputBase);
        ws = Files.createDirectories(dir.resolve("ws"));
        Files.writeString(ws.resolve("WORKSPACE"), "");
        Files.writeString(ws.resolve("BUILD"), "genrule(name = \"hello\", srcs = [\"in.txt\"], outs = [\"hello.txt\"],\n"
                + "    cmd = \"cat $(location in.txt) > $@; echo generated >> $@\")\n");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (started) {
                bazel("shutdown");
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    /** The README's .bazelrc, pointing at {@code remoteCache}, the key in a Bearer header. */
    static void useRemoteCache(String remoteCache) throws Exception {
        Files.writeString(ws.resolve(".bazelrc"), "build --remote_cache=" + remoteCache + "\n"
                + "build --remote_header=\"Authorization=Bearer " + KEY + "\"\n");
    }

    /** The README's other .bazelrc: the key in the URL, which Bazel sends as Basic. */
    static void useRemoteCacheWithBasic(String remoteCache) throws Exception {
        Files.writeString(ws.resolve(".bazelrc"), "build --remote_cache=" + remoteCache + "\n");
    }

    static BuildTool.Run bazel(String... args) throws Exception {
        started = true;
        List<String> command = new ArrayList<>(List.of("bazel", "--output_base=" + outputBase,
                "--host_jvm_args=-Xmx256m", "--nohome_rc"));
        command.addAll(List.of(args));
        return BuildTool.run(ws, Map.of(), 300, command).ok();
    }

    static BuildTool.Run build() throws Exception {
        return bazel("build", "//:hello");
    }

    static String output() throws Exception {
        return Files.readString(ws.resolve("bazel-bin/hello.txt"));
    }

    @Test
    void aCleanBuildIsServedFromTheRemoteCache() throws Exception {
        useRemoteCache("http://127.0.0.1:" + server.port() + "/bazel");
        String input = "hello " + UUID.randomUUID();
        Files.writeString(ws.resolve("in.txt"), input + "\n");

        BuildTool.Run cold = build();
        assertFalse(cold.output().contains("remote cache hit"), cold.output());
        bazel("clean");
        BuildTool.Run warm = build();

        assertTrue(warm.output().contains(HIT), warm.output());
        assertEquals(input + "\ngenerated\n", output());
    }

    @Test
    void changingTheInputMissesAndChangingItBackHitsAgain() throws Exception {
        // Basic credentials in the URL, under an instance-name segment the server accepts and ignores.
        useRemoteCacheWithBasic("http://ci:" + KEY + "@127.0.0.1:" + server.port() + "/bazel/team-a");
        String original = "original " + UUID.randomUUID() + "\n";
        Files.writeString(ws.resolve("in.txt"), original);
        build();

        Files.writeString(ws.resolve("in.txt"), "changed " + UUID.randomUUID() + "\n");
        BuildTool.Run changed = build();
        assertFalse(changed.output().contains("remote cache hit"), changed.output());

        Files.writeString(ws.resolve("in.txt"), original);
        bazel("clean");
        BuildTool.Run back = build();
        assertTrue(back.output().contains(HIT), back.output());
        assertEquals(original + "generated\n", output());
    }

    @Test
    void aCasUploadWithAWrongDigestIsRefusedAndNothingIsStored() throws Exception {
        byte[] body = "not the blob the key names".getBytes(StandardCharsets.UTF_8);
        String key = "/bazel/cas/" + "ab".repeat(32);
        var put = server.send(server.request(key).header("Authorization", "Bearer " + KEY)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build());
        assertEquals(400, put.statusCode(), put.body());
        assertTrue(put.body().contains("does not match"), put.body());
        assertEquals(404, server.send(server.request(key).header("Authorization", "Bearer " + KEY).GET().build())
                .statusCode());
        assertEquals(0, server.tmpEntries());
    }

    @Test
    void casKeepsItsFirstBodyAcIsReplacedAndTheEmptyBlobAlwaysExists() throws Exception {
        String auth = "Bearer " + KEY;
        byte[] blob = ("blob " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        String cas = "/bazel/cas/" + java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(blob));
        assertEquals(201, put(cas, auth, HttpRequest.BodyPublishers.ofByteArray(blob)).statusCode());
        assertEquals(200, put(cas, auth, HttpRequest.BodyPublishers.ofByteArray(blob)).statusCode(),
                "a re-upload of a stored blob succeeds");
        assertArrayEquals(blob, server.client().send(server.request(cas).header("Authorization", auth).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body());

        String ac = "/bazel/ac/" + "cd".repeat(32);
        assertEquals(201, put(ac, auth, HttpRequest.BodyPublishers.ofString("first")).statusCode());
        assertEquals(201, put(ac, auth, HttpRequest.BodyPublishers.ofString("second")).statusCode());
        assertEquals("second", server.send(server.request(ac).header("Authorization", auth).GET().build()).body());

        var empty = server.send(server.request("/bazel/cas/" + BazelPaths.EMPTY).header("Authorization", auth).GET().build());
        assertEquals(200, empty.statusCode());
        assertEquals("", empty.body());
        String metrics = server.send(server.request("/metrics").header("Authorization", auth).GET().build()).body();
        assertTrue(metrics.matches("(?s).*\\npolycache_protocol_entries\\{protocol=\"bazel\"\\} [1-9].*"), metrics);
    }

    @Test
    void anUploadWithoutContentLengthIs411AndStoresNothing() throws Exception {
        byte[] blob = "chunked".getBytes(StandardCharsets.UTF_8);
        String path = "/bazel/ac/" + "ef".repeat(32);
        // A body from a stream goes chunked, without Content-Length.
        var put = put(path, "Bearer " + KEY,
                HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(blob)));
        assertEquals(411, put.statusCode(), put.body());
        assertEquals(404, server.send(server.request(path).header("Authorization", "Bearer " + KEY).GET().build())
                .statusCode());
    }

    static java.net.http.HttpResponse<String> put(String path, String auth, HttpRequest.BodyPublisher body)
            throws Exception {
        return server.send(server.request(path).header("Authorization", auth).PUT(body).build());
    }
}
