package io.polycache.deps;

import static io.polycache.testing.DepsClient.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.polycache.testing.DepsClient;
import io.polycache.testing.HostToolchain;
import io.polycache.testing.ScriptMarker;
import io.polycache.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real pnpm (9 and the newest), Yarn classic and Yarn Berry installs from the npm registry,
 * through the built WAR, which provisions each tool from the npm registry; node is the host's.
 * One server for all: its storage lives under {@code target/} and keeps {@code toolchains/} and
 * {@code pm-cache/} from run to run (everything else is removed first), so reruns download
 * little.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JsManagersBundleIT {
    static final Path STORAGE = Path.of("target/js-managers-it/storage").toAbsolutePath();
    static final String NODE = HostToolchain.npmVersions().get("node");

    /** One package manager release and what its frozen install says when the lockfile is stale. */
    record Tool(String manager, String version, String fixtures, String lockfile, String staleLockfile) {
        Path fixture(String project) {
            return Path.of("src/test/resources/deps", fixtures, project);
        }

        Map<String, String> versions() {
            return Map.of("node", NODE, manager, version);
        }

        @Override
        public String toString() {
            return manager + " " + version;
        }
    }

    static Stream<Tool> tools() {
        return Stream.of(
                new Tool("pnpm", "9.15.9", "pnpm", "pnpm-lock.yaml", "ERR_PNPM_OUTDATED_LOCKFILE"),
                new Tool("pnpm", "12.23.0", "pnpm", "pnpm-lock.yaml", "ERR_PNPM_OUTDATED_LOCKFILE"),
                new Tool("yarn", "1.22.22", "yarn-classic", "yarn.lock",
                        "Your lockfile needs to be updated, but yarn was run with `--frozen-lockfile`"),
                new Tool("yarn", "4.18.1", "yarn-berry", "yarn.lock",
                        "The lockfile would have been modified by this install, which is explicitly forbidden"));
    }

    @TempDir
    Path work;

    static TestServer server;
    static DepsClient client;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.startProvisioning(STORAGE);
        client = new DepsClient(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Map<String, byte[]> files(Tool tool, String project) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("package.json", Files.readAllBytes(tool.fixture(project).resolve("package.json")));
        files.put(tool.lockfile(), Files.readAllBytes(tool.fixture(project).resolve(tool.lockfile())));
        return files;
    }

    private static HttpResponse<String> post(Tool tool, Map<String, byte[]> files) throws Exception {
        return client.postJson(DepsClient.jsonBody(tool.manager(), tool.versions(), files, null));
    }

    private static JsonNode ok(HttpResponse<String> response) throws IOException {
        assertEquals(200, response.statusCode(), response.body());
        return parse(response);
    }

    private static long installsRun() throws Exception {
        return parse(server.get("/v1/stats")).path("installs_since_start").path("run").asLong();
    }

    private Path downloadAndUnzip(String hash, Path project) throws Exception {
        Path zip = work.resolve(hash + ".zip");
        assertEquals(200, client.download(hash, zip).statusCode());
        DepsClient.unzip(zip, project);
        return project;
    }

    private static JsonNode index(Tool tool, String hash) throws IOException {
        Path index = STORAGE.resolve("indexes").resolve(hash.substring(0, 2)).resolve(hash.substring(2, 4))
                .resolve(hash + "." + tool.manager() + "." + NODE + "_" + tool.version() + ".index");
        assertTrue(Files.isRegularFile(index), "index at " + index);
        return DepsClient.JSON.readTree(index.toFile()).path("entries");
    }

    /** The tree works: node requires both packages, and semver's .bin entry runs. */
    private static void assertWorkingTree(Path project) throws Exception {
        assertEquals("1.2.3", DepsClient.run(project, project.resolve("node_modules/.bin/semver").toString(), "1.2.3"));
        assertEquals("true 2.0.0", DepsClient.run(project, "node", "-e",
                "console.log(require('is-number')(5), require('semver').inc('1.9.9', 'major'))"));
    }

    /** First of all, so that its first POST is the one that installs. */
    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("tools")
    void aLockedProjectInstallsOnceThenHitsAndUnzipsIntoAWorkingTree(Tool tool) throws Exception {
        long installs = installsRun();
        JsonNode first = ok(post(tool, files(tool, "bin-project")));
        assertFalse(first.path("cache_hit").asBoolean(), first.toString());
        String hash = first.path("hash").asText();
        JsonNode second = ok(post(tool, files(tool, "bin-project")));
        assertTrue(second.path("cache_hit").asBoolean(), second.toString());
        assertEquals(hash, second.path("hash").asText());
        assertEquals(installs + 1, installsRun());

        JsonNode entries = index(tool, hash);
        if (tool.manager().equals("pnpm")) {
            // pnpm's layout is links into node_modules/.pnpm/, kept as links.
            assertEquals(".pnpm/semver@7.6.3/node_modules/semver", entries.path("node_modules/semver").path("link").asText(),
                    entries.path("node_modules/semver").toString());
        }
        Path project = downloadAndUnzip(hash, work.resolve("project"));
        assertWorkingTree(project);
        if (tool.manager().equals("pnpm")) {
            assertTrue(Files.isSymbolicLink(project.resolve("node_modules/semver")));
        }
        assertFalse(Files.exists(project.resolve(tool.lockfile())), "the lockfile was sent, so it is not bundled");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tools")
    void projectsSharingAPackageShareItsBlobs(Tool tool) throws Exception {
        String a = ok(post(tool, files(tool, "bin-project"))).path("hash").asText();
        String b = ok(post(tool, files(tool, "sharing-project"))).path("hash").asText();
        assertFalse(a.equals(b));
        String semverA = semverIndexJs(index(tool, a));
        String semverB = semverIndexJs(index(tool, b));
        assertEquals(semverA, semverB);
        Path blob = STORAGE.resolve("objects").resolve(semverA.substring(0, 2)).resolve(semverA.substring(2, 4)).resolve(semverA);
        assertTrue(Files.isRegularFile(blob), "one blob at " + blob);
        Set<String> blobsA = blobs(index(tool, a));
        Set<String> blobsB = blobs(index(tool, b));
        blobsA.retainAll(blobsB);
        assertTrue(blobsA.size() > 50, blobsA.size() + " shared blobs");
    }

    /** The SHA-256 of semver's index.js wherever the layout puts it. */
    private static String semverIndexJs(JsonNode entries) {
        List<String> found = new ArrayList<>();
        entries.fields().forEachRemaining(e -> {
            if (e.getKey().endsWith("/semver/index.js") && e.getValue().has("sha256")) {
                found.add(e.getValue().path("sha256").asText());
            }
        });
        assertEquals(1, new HashSet<>(found).size(), "semver/index.js in " + found);
        return found.get(0);
    }

    private static Set<String> blobs(JsonNode entries) {
        Set<String> blobs = new HashSet<>();
        entries.forEach(e -> {
            if (e.has("sha256")) {
                blobs.add(e.path("sha256").asText());
            }
        });
        return blobs;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tools")
    void installScriptsDoNotRunAndAGeneratedLockfileIsBundled(Tool tool) throws Exception {
        Path marker = work.resolve("script-ran");
        Path tarball = ScriptMarker.tarball(work, marker);
        String packageJson = "{\"name\":\"scripts-project\",\"version\":\"1.0.0\",\"private\":true,\"dependencies\":{"
                + "\"is-number\":\"7.0.0\",\"script-marker\":\"file:" + tarball + "\"}}";
        JsonNode answer = ok(post(tool, Map.of("package.json", packageJson.getBytes(StandardCharsets.UTF_8))));
        Path project = downloadAndUnzip(answer.path("hash").asText(), work.resolve("project"));
        assertTrue(Files.isRegularFile(project.resolve("node_modules/script-marker/package.json")));
        assertFalse(Files.exists(marker), "an install script ran");
        try (Stream<Path> walk = Files.walk(project.resolve("node_modules"))) {
            assertEquals(List.of(), walk.filter(p -> p.getFileName().toString().startsWith("ran-")).toList());
        }
        assertTrue(Files.readString(project.resolve(tool.lockfile())).contains("script-marker"));
        assertEquals("true", DepsClient.run(project, "node", "-e", "console.log(require('is-number')(5))"));
    }


    @ParameterizedTest(name = "{0}")
    @MethodSource("tools")
    void aStaleLockfileIs422NamingTheCause(Tool tool) throws Exception {
        Map<String, byte[]> files = files(tool, "bin-project");
        String packageJson = new String(files.get("package.json"), StandardCharsets.UTF_8)
                .replace("\"dependencies\": {", "\"dependencies\": {\n    \"left-pad\": \"1.3.0\",");
        files.put("package.json", packageJson.getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = post(tool, files);
        assertEquals(422, response.statusCode(), response.body());
        JsonNode body = parse(response);
        assertEquals("Installation failed", body.path("error").asText());
        assertTrue(body.path("log").asText().contains(tool.staleLockfile()), body.path("log").asText());
        assertFalse(body.path("log").asText().contains(STORAGE.toString()), "no server-side path: " + body);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tools")
    void theClientRestoresTheTreeFromTheBundleTheServerNames(Tool tool) throws Exception {
        String hash = ok(post(tool, files(tool, "bin-project"))).path("hash").asText();
        Path project = Files.createDirectories(work.resolve("scratch"));
        for (String file : List.of("package.json", tool.lockfile())) {
            Files.copy(tool.fixture("bin-project").resolve(file), project.resolve(file));
        }
        Path bin = toolOnPath(tool);
        assertEquals(hash, runClient(project, bin, "--print-hash", tool.manager()).strip());
        String stderr = runClient(project, bin, "--no-fallback", tool.manager());
        assertTrue(stderr.contains("restored node_modules/ from bundle " + hash), stderr);
        assertFalse(stderr.contains("is not cached"), "a remote hit: " + stderr);
        assertFalse(stderr.contains("warning"), stderr);
        assertWorkingTree(project);
    }

    /**
     * A directory with a {@code pnpm} or {@code yarn} command that runs the release the server
     * provisioned (the same bytes, so the client computes the same versions).
     */
    private Path toolOnPath(Tool tool) throws IOException {
        String pkg = tool.manager().equals("pnpm") ? "pnpm" : tool.version().startsWith("1.") ? "yarn" : "@yarnpkg/cli-dist";
        Path dir = STORAGE.resolve("toolchains").resolve(pkg.replace("@", "").replace('/', '-') + "-" + tool.version())
                .resolve("node_modules").resolve(pkg);
        Path entry = tool.manager().equals("yarn") ? dir.resolve("bin/yarn.js")
                : Files.exists(dir.resolve("bin/pnpm.cjs")) ? dir.resolve("bin/pnpm.cjs") : dir.resolve("bin/pnpm.mjs");
        assertTrue(Files.isRegularFile(entry), "provisioned " + entry);
        Path bin = Files.createDirectories(work.resolve("bin"));
        Path command = bin.resolve(tool.manager());
        Files.writeString(command, "#!/bin/sh\nexec node '" + entry + "' \"$@\"\n");
        Files.setPosixFilePermissions(command, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    /** Runs the client from the source tree with {@code sh}; returns its standard output for --print-hash, else its errors. */
    private String runClient(Path project, Path bin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", Path.of("clients/polycache-deps").toAbsolutePath().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile());
        builder.environment().remove("POLYCACHE_KEY");
        builder.environment().remove("POLYCACHE_PLATFORM");
        builder.environment().put("POLYCACHE_URL", "http://127.0.0.1:" + server.port());
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        Path out = work.resolve("client.out");
        Path err = work.resolve("client.err");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        process.getOutputStream().close();
        assertTrue(process.waitFor(180, TimeUnit.SECONDS), "the client finished");
        String stderr = Files.readString(err);
        assertEquals(0, process.exitValue(), stderr);
        return Arrays.asList(args).contains("--print-hash") ? Files.readString(out) : stderr;
    }
}
