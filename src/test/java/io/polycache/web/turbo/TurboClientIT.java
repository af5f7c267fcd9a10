package io.polycache.web.turbo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.testing.ClientRun;
import io.polycache.testing.NpmTool;
import io.polycache.testing.TestServer;
import io.polycache.testing.Scrape;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code turbo} (pinned, from npm) against Polycache's {@code /turbo}: each test runs a
 * task once (a miss, uploaded), then again with the outputs and every local cache removed, and
 * reads turbo's own report of a remote hit and the restored output.
 */
class TurboClientIT {
    static final String VERSION = "2.11.11";
    static final String RW = "turbo-rw-key";
    static final String RO = "turbo-ro-key";
    static final String WEB_ONLY = "turbo-web-only-key";
    static final String HIT = "cache hit, replaying logs";
    static final String MISS = "cache miss, executing";

    @TempDir
    static Path storage;
    @TempDir
    static Path keys;

    static TestServer server;
    static Path turbo;

    @TempDir
    Path work;

    @BeforeAll
    static void start() throws Exception {
        turbo = NpmTool.install("turbo", VERSION);
        Path file = keys.resolve("keys");
        Files.writeString(file, RW + " rw\n" + RO + " ro\n" + WEB_ONLY + " rw teams=web,mobile\n");
        server = TestServer.start(storage, Map.of("polycache.apiKeysFile", file.toString()));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aSecondRunWithoutLocalCachesIsARemoteHitThatRestoresTheOutput() throws Exception {
        Path ws = workspace(work, "{\"tasks\":{\"build\":{\"outputs\":[\"dist/**\"]}}}");
        String team = "team-" + UUID.randomUUID();

        ClientRun first = turbo(ws, RW, team);
        assertTrue(first.output().contains(MISS), first.output());
        String built = Files.readString(output(ws));

        clean(ws);
        ClientRun second = turbo(ws, RW, team);
        assertTrue(second.output().contains(HIT), second.output());
        assertTrue(second.output().contains("FULL TURBO"), second.output());
        assertEquals(built, Files.readString(output(ws)), "the output comes back from the remote cache");

        String metrics = metrics();
        assertTrue(Scrape.sample(metrics, "polycache_cache_hits_total{protocol=\"turbo\"}") >= 1, metrics);
        assertTrue(Scrape.sample(metrics,
                "polycache_client_events_total{event=\"hit\",protocol=\"turbo\",source=\"remote\"}") >= 1, metrics);
    }

    @Test
    void withSigningOnTheTagIsReplayedAndAReSignedUploadReplacesTheArtifact() throws Exception {
        Path ws = workspace(work, "{\"remoteCache\":{\"signature\":true},\"tasks\":{\"build\":{\"outputs\":[\"dist/**\"]}}}");
        String team = "signed-" + UUID.randomUUID();
        Map<String, String> key = Map.of("TURBO_REMOTE_CACHE_SIGNATURE_KEY", "first-signing-key-0123456789abcdef");
        Map<String, String> otherKey = Map.of("TURBO_REMOTE_CACHE_SIGNATURE_KEY", "second-signing-key-0123456789abcdef");

        assertTrue(turbo(ws, RW, team, key).output().contains(MISS));
        clean(ws);
        ClientRun hit = turbo(ws, RW, team, key);
        assertTrue(hit.output().contains(HIT), hit.output());

        // Under another key the stored tag does not verify: turbo runs the task and uploads the
        // same hash again, which replaces the artifact, so the first key now misses.
        clean(ws);
        assertTrue(turbo(ws, RW, team, otherKey).output().contains(MISS));
        clean(ws);
        ClientRun replaced = turbo(ws, RW, team, key);
        assertTrue(replaced.output().contains(MISS), replaced.output());
    }

    @Test
    void anArtifactOfOneTeamIsAMissForAnother() throws Exception {
        Path ws = workspace(work, "{\"tasks\":{\"build\":{\"outputs\":[\"dist/**\"]}}}");
        String suffix = UUID.randomUUID().toString();
        assertTrue(turbo(ws, RW, "a-" + suffix).output().contains(MISS));
        clean(ws);
        ClientRun other = turbo(ws, RW, "b-" + suffix);
        assertTrue(other.output().contains(MISS), other.output());
        clean(ws);
        ClientRun same = turbo(ws, RW, "a-" + suffix);
        assertTrue(same.output().contains(HIT), same.output());
    }

    @Test
    void aReadOnlyKeyHitsAndItsMissRunsWithoutUploading() throws Exception {
        Path ws = workspace(work, "{\"tasks\":{\"build\":{\"outputs\":[\"dist/**\"]}}}");
        String team = "ro-" + UUID.randomUUID();
        assertTrue(turbo(ws, RW, team).output().contains(MISS));
        clean(ws);
        ClientRun hit = turbo(ws, RO, team);
        assertTrue(hit.output().contains(HIT), hit.output());

        String emptyTeam = "ro-empty-" + UUID.randomUUID();
        long before = entries();
        clean(ws);
        ClientRun miss = turbo(ws, RO, emptyTeam);
        assertTrue(miss.output().contains(MISS), miss.output());
        assertTrue(miss.output().contains("Remote cache rejected an upload with 403"), miss.output());
        assertEquals(before, entries(), "nothing was stored");
        clean(ws);
        assertTrue(turbo(ws, RO, emptyTeam).output().contains(MISS));
    }

    @Test
    void aKeyOutsideTheTeamIsRefusedAndTurboRunsWithoutTheRemoteCache() throws Exception {
        Path ws = workspace(work, "{\"tasks\":{\"build\":{\"outputs\":[\"dist/**\"]}}}");
        String team = "outside-" + UUID.randomUUID();
        assertTrue(turbo(ws, RW, team).output().contains(MISS));
        long before = entries();
        clean(ws);

        ClientRun refused = turbo(ws, WEB_ONLY, team);

        assertTrue(refused.output().contains("Remote cache returned 403 for a read"), refused.output());
        assertTrue(refused.output().contains(MISS), refused.output());
        assertEquals(before, entries(), "nothing was stored");
        clean(ws);
        assertTrue(turbo(ws, WEB_ONLY, "web").output().contains(MISS), "its own team is served");
        clean(ws);
        assertTrue(turbo(ws, WEB_ONLY, "web").output().contains(HIT));
    }

    @Test
    void withPreflightTheKeyIsStillSentAndTheRunHits() throws Exception {
        Path ws = workspace(work, "{\"tasks\":{\"build\":{\"outputs\":[\"dist/**\"]}}}");
        String team = "preflight-" + UUID.randomUUID();
        assertTrue(turbo(ws, RW, team, Map.of(), "--preflight").output().contains(MISS));
        clean(ws);
        ClientRun hit = turbo(ws, RW, team, Map.of(), "--preflight");
        assertTrue(hit.output().contains(HIT), hit.output());
        String metrics = metrics();
        assertTrue(Scrape.sample(metrics,
                "polycache_requests_total{method=\"OPTIONS\",protocol=\"turbo\",status=\"200\"}") >= 2, metrics);
    }

    @Test
    void aDryRunAsksWithOneQueryAndReportsTheStoredDuration() throws Exception {
        Path ws = workspace(work, "{\"tasks\":{\"build\":{\"outputs\":[\"dist/**\"]}}}");
        String team = "dry-" + UUID.randomUUID();
        assertTrue(turbo(ws, RW, team).output().contains(MISS));
        clean(ws);
        ClientRun dry = turbo(ws, RW, team, Map.of(), "--dry-run=json");
        String compact = dry.output().replaceAll("\\s+", "");
        assertTrue(compact.contains("\"status\":\"HIT\",\"source\":\"REMOTE\""), dry.output());
        assertFalse(compact.contains("\"timeSaved\":0"), "the uploaded x-artifact-duration comes back: " + dry.output());
        String metrics = metrics();
        assertTrue(Scrape.sample(metrics,
                "polycache_requests_total{method=\"POST\",protocol=\"turbo\",status=\"200\"}") >= 1, metrics);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static ClientRun turbo(Path ws, String token, String team) throws Exception {
        return turbo(ws, token, team, Map.of());
    }

    private static ClientRun turbo(Path ws, String token, String team, Map<String, String> extra, String... flags)
            throws Exception {
        Map<String, String> env = new HashMap<>(extra);
        env.put("TURBO_API", "http://127.0.0.1:" + server.port() + "/turbo");
        env.put("TURBO_TOKEN", token);
        env.put("TURBO_TEAM", team);
        env.put("TURBO_TELEMETRY_DISABLED", "1");
        env.put("TURBO_NO_UPDATE_NOTIFIER", "1");
        env.put("HOME", ws.resolveSibling(ws.getFileName() + "-home").toString());
        List<String> command = new ArrayList<>(List.of(ws.resolve("node_modules/.bin/turbo").toString(), "run", "build",
                "--cache=remote:rw"));
        command.addAll(List.of(flags));
        ClientRun run = ClientRun.run(ws, env, 300, command.toArray(String[]::new));
        assertEquals(0, run.exit(), run.output());
        return run;
    }

    /** A one-package npm workspace whose build writes a unique line, committed to git. */
    static Path workspace(Path work, String turboJson) throws Exception {
        Path ws = work.resolve("ws");
        Files.createDirectories(ws.resolve("packages/a"));
        Files.createDirectories(work.resolve("ws-home"));
        Files.writeString(ws.resolve("package.json"),
                "{\"name\":\"turbo-it\",\"private\":true,\"packageManager\":\"npm@11.19.1\",\"workspaces\":[\"packages/*\"]}\n");
        Files.writeString(ws.resolve("package-lock.json"), """
                {"name":"turbo-it","lockfileVersion":3,"requires":true,"packages":{
                "":{"name":"turbo-it","workspaces":["packages/*"]},
                "node_modules/a":{"resolved":"packages/a","link":true},
                "packages/a":{"version":"1.0.0"}}}
                """);
        Files.writeString(ws.resolve("packages/a/package.json"), """
                {"name":"a","version":"1.0.0","scripts":{"build":"node -e \\"require('fs').mkdirSync('dist',{recursive:true});require('fs').writeFileSync('dist/out.txt','built '+Date.now()+' '+Math.random())\\""}}
                """);
        Files.writeString(ws.resolve("turbo.json"), turboJson + "\n");
        Files.writeString(ws.resolve(".gitignore"), "node_modules\ndist\n.turbo\n");
        Files.createSymbolicLink(ws.resolve("node_modules"), turbo);
        Map<String, String> git = Map.of("GIT_AUTHOR_NAME", "it", "GIT_AUTHOR_EMAIL", "it@localhost",
                "GIT_COMMITTER_NAME", "it", "GIT_COMMITTER_EMAIL", "it@localhost", "HOME", work.resolve("ws-home").toString());
        for (String[] command : new String[][] {{"git", "init", "-q"}, {"git", "add", "-A"}, {"git", "commit", "-qm", "init"}}) {
            ClientRun run = ClientRun.run(ws, git, 60, command);
            assertEquals(0, run.exit(), run.output());
        }
        return ws;
    }

    /** Removes the outputs and turbo's local caches, so that only the remote can answer. */
    static void clean(Path ws) throws Exception {
        for (Path dir : new Path[] {ws.resolve("packages/a/dist"), ws.resolve("packages/a/.turbo"), ws.resolve(".turbo")}) {
            if (Files.exists(dir)) {
                try (var paths = Files.walk(dir)) {
                    for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(path);
                    }
                }
            }
        }
    }

    static Path output(Path ws) {
        return ws.resolve("packages/a/dist/out.txt");
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
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(stats.body());
        return json.path("protocols").path("turbo").path("count").asLong();
    }
}
