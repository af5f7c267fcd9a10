package io.polycache.web.nx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.store.EntryKey;
import io.polycache.store.ShardLayout;
import io.polycache.testing.ClientRun;
import io.polycache.testing.NpmTool;
import io.polycache.testing.Scrape;
import io.polycache.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real {@code nx} (pinned versions from npm) against Polycache's {@code /nx}: a task runs
 * once (a miss, uploaded), then again with its outputs, {@code .nx} and a fresh
 * {@code NX_CACHE_DIRECTORY}, so that only the remote cache can answer; Nx's own
 * {@code [remote cache]} mark and the restored output prove the hit.
 */
class NxClientIT {
    static final String NX_20 = "20.8.4";
    static final String NX_24 = "24.0.6";
    static final String RW = "nx-rw-key";
    static final String RO = "nx-ro-key";
    static final String REMOTE_HIT = "[remote cache]";

    @TempDir
    static Path storage;
    @TempDir
    static Path keys;

    static TestServer server;

    @TempDir
    Path work;

    @BeforeAll
    static void start() throws Exception {
        Path file = keys.resolve("keys");
        Files.writeString(file, RW + " rw\n" + RO + " ro\n");
        server = TestServer.start(storage, Map.of("polycache.apiKeysFile", file.toString()));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest(name = "nx {0}")
    @ValueSource(strings = {NX_20, NX_24})
    void aSecondRunWithoutLocalCachesIsARemoteHitThatRestoresTheOutput(String version) throws Exception {
        Path ws = workspace(version);

        ClientRun first = nx(ws, RW);
        assertFalse(first.output().contains(REMOTE_HIT), first.output());
        String built = Files.readString(output(ws));

        clean(ws);
        ClientRun second = nx(ws, RW);

        assertTrue(second.output().contains("nx run a:build  " + REMOTE_HIT), second.output());
        assertEquals(built, Files.readString(output(ws)), "the output comes back from the remote cache");
        String metrics = metrics();
        assertTrue(Scrape.sample(metrics, "polycache_cache_hits_total{protocol=\"nx\"}") >= 1, metrics);
        assertEquals(0, Scrape.sample(metrics, "polycache_requests_total{method=\"PUT\",protocol=\"nx\",status=\"201\"}"));
    }

    @Test
    void aReadOnlyKeyHitsAndItsMissRunsTheTaskWithoutUploading() throws Exception {
        Path stored = workspace(NX_24);
        nx(stored, RW);
        clean(stored);
        ClientRun hit = nx(stored, RO);
        assertTrue(hit.output().contains(REMOTE_HIT), hit.output());

        Path fresh = workspace(NX_24);
        long before = entries();
        ClientRun miss = nx(fresh, RO);
        assertFalse(miss.output().contains(REMOTE_HIT), miss.output());
        assertTrue(Files.exists(output(fresh)), "the task ran");
        assertEquals(before, entries(), "nothing was stored");
        assertTrue(Scrape.sample(metrics(), "polycache_requests_total{method=\"PUT\",protocol=\"nx\",status=\"403\"}") >= 1);
    }

    @Test
    void aStorageFaultOnReadIsAMissForNxNotTheEndOfItsRun() throws Exception {
        Path ws = workspace(NX_24);
        java.util.Set<Path> before = nxEntryFiles();
        nx(ws, RW);
        java.util.Set<Path> stored = new java.util.HashSet<>(nxEntryFiles());
        stored.removeAll(before);
        assertEquals(1, stored.size(), "one entry uploaded: " + stored);
        // The entry's file turns into something that opens but cannot be read.
        Path file = stored.iterator().next();
        Files.delete(file);
        Files.createDirectory(file);
        double errorsBefore = Scrape.sample(metrics(), "polycache_read_errors_total{protocol=\"nx\"}");

        clean(ws);
        ClientRun second = nx(ws, RO); // a read-only key: its upload is refused, which Nx takes calmly

        assertFalse(second.output().contains(REMOTE_HIT), second.output());
        assertTrue(Files.exists(output(ws)), "the task ran");
        assertEquals(errorsBefore + 1, Scrape.sample(metrics(), "polycache_read_errors_total{protocol=\"nx\"}"));
        Files.delete(file);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private ClientRun nx(Path ws, String token) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("NX_SELF_HOSTED_REMOTE_CACHE_SERVER", "http://127.0.0.1:" + server.port() + "/nx");
        env.put("NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN", token);
        env.put("NX_NO_CLOUD", "true");
        env.put("NX_DAEMON", "false");
        env.put("NX_TUI", "false");
        env.put("NX_CACHE_DIRECTORY", Files.createTempDirectory(work, "nx-cache").toString());
        env.put("HOME", Files.createTempDirectory(work, "home").toString());
        ClientRun run = ClientRun.run(ws, env, 300, ws.resolve("node_modules/.bin/nx").toString(), "run", "a:build",
                "--verbose");
        assertEquals(0, run.exit(), run.output());
        return run;
    }

    /** A one-project npm workspace of its own (a unique build command, so a hash of its own). */
    private Path workspace(String version) throws Exception {
        Path ws = Files.createTempDirectory(work, "ws");
        Files.createDirectories(ws.resolve("packages/a"));
        Files.writeString(ws.resolve("package.json"), "{\"name\":\"nx-it\",\"private\":true,\"workspaces\":[\"packages/*\"]}\n");
        Files.writeString(ws.resolve("nx.json"), "{}\n");
        Files.writeString(ws.resolve("packages/a/package.json"), """
                {"name":"a","version":"1.0.0",
                 "scripts":{"build":"node -e \\"require('fs').mkdirSync('dist',{recursive:true});require('fs').writeFileSync('dist/out.txt','%s '+Date.now()+' '+Math.random())\\""},
                 "nx":{"targets":{"build":{"cache":true,"outputs":["{projectRoot}/dist"]}}}}
                """.formatted(UUID.randomUUID()));
        Files.createSymbolicLink(ws.resolve("node_modules"), NpmTool.install("nx", version));
        return ws;
    }

    /** Removes the outputs and the workspace's Nx data (the cache directory is fresh on every run). */
    private static void clean(Path ws) throws Exception {
        for (Path dir : new Path[] {ws.resolve("packages/a/dist"), ws.resolve(".nx")}) {
            if (Files.exists(dir)) {
                try (var paths = Files.walk(dir)) {
                    for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(path);
                    }
                }
            }
        }
    }

    private static Path output(Path ws) {
        return ws.resolve("packages/a/dist/out.txt");
    }

    /** The entry files of the nx namespace. */
    private static java.util.Set<Path> nxEntryFiles() throws Exception {
        Path root = new ShardLayout(storage).entry(NxFilter.NAMESPACE, new EntryKey("0")).getParent().getParent().getParent();
        if (!Files.exists(root)) {
            return java.util.Set.of();
        }
        try (var paths = Files.walk(root)) {
            return paths.filter(Files::isRegularFile).collect(java.util.stream.Collectors.toSet());
        }
    }

    private static String metrics() throws Exception {
        HttpResponse<String> metrics = server.send(server.request("/metrics")
                .header("Authorization", "Bearer " + RW).GET().build());
        assertEquals(200, metrics.statusCode(), metrics.body());
        return metrics.body();
    }

    private static long entries() throws Exception {
        HttpResponse<String> stats = server.send(server.request("/v1/stats")
                .header("Authorization", "Bearer " + RW).GET().build());
        assertEquals(200, stats.statusCode(), stats.body());
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(stats.body())
                .path("protocols").path("nx").path("count").asLong();
    }
}
