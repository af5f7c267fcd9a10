package io.polycache.deps;

import static io.polycache.testing.DepsClient.parse;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Yarn 4 Plug'n'Play installs from the npm registry through the built WAR (which provisions
 * {@code @yarnpkg/cli-dist}; node is the host's): the bundle holds {@code .pnp.cjs},
 * {@code .pnp.loader.mjs} and {@code .yarn/}, and an unzipped copy runs under node and yarn.
 * Storage under {@code target/} keeps {@code toolchains/} and {@code pm-cache/} between runs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class YarnPnpBundleIT {
    static final Path STORAGE = Path.of("target/yarn-pnp-it/storage").toAbsolutePath();
    static final String NODE = HostToolchain.npmVersions().get("node");
    static final String YARN = "4.18.1";
    static final Map<String, String> VERSIONS = Map.of("node", NODE, "yarn", YARN);
    static final Path ESM_PROJECT = Path.of("src/test/resources/deps/yarn-berry-pnp/esm-project");
    static final Path SHARING_PROJECT = Path.of("src/test/resources/deps/yarn-berry/sharing-project");

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

    private static Map<String, byte[]> files(Path project) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String name : List.of(".yarnrc.yml", "package.json", "yarn.lock")) {
            if (Files.exists(project.resolve(name))) {
                files.put(name, Files.readAllBytes(project.resolve(name)));
            }
        }
        return files;
    }

    private static HttpResponse<String> post(Map<String, byte[]> files) throws Exception {
        return client.postJson(DepsClient.jsonBody("yarn", VERSIONS, files, null));
    }

    private static JsonNode ok(HttpResponse<String> response) throws IOException {
        assertEquals(200, response.statusCode(), response.body());
        return parse(response);
    }

    private static long installsRun() throws Exception {
        return parse(server.get("/v1/stats")).path("installs_since_start").path("run").asLong();
    }

    private static JsonNode index(String hash) throws IOException {
        Path index = STORAGE.resolve("indexes").resolve(hash.substring(0, 2)).resolve(hash.substring(2, 4))
                .resolve(hash + ".yarn." + NODE + "_" + YARN + ".index");
        assertTrue(Files.isRegularFile(index), "index at " + index);
        return DepsClient.JSON.readTree(index.toFile());
    }

    private static List<String> paths(JsonNode index) {
        List<String> paths = new ArrayList<>();
        index.path("entries").fieldNames().forEachRemaining(paths::add);
        return paths;
    }

    /** A scratch project as a CI job has it: the sent files, then the unzipped bundle. */
    private Path unzippedProject(String hash, Path from) throws Exception {
        Path project = Files.createDirectories(work.resolve("project"));
        for (Map.Entry<String, byte[]> file : files(from).entrySet()) {
            Files.write(project.resolve(file.getKey()), file.getValue());
        }
        Path zip = work.resolve(hash + ".zip");
        assertEquals(200, client.download(hash, zip).statusCode());
        DepsClient.unzip(zip, project);
        return project;
    }

    /** Node requires (CommonJS) and imports (ESM, through the loader) through PnP; semver's bin runs under node and yarn. */
    private void assertWorkingPnpTree(Path project) throws Exception {
        assertFalse(Files.exists(project.resolve("node_modules")), "Plug'n'Play: no node_modules/");
        assertEquals("true 2.0.0", DepsClient.run(project, "node", "-r", "./.pnp.cjs", "-e",
                "console.log(require('is-number')(5), require('semver').inc('1.9.9', 'major'))"));
        assertEquals("a\\.b", DepsClient.run(project, "node", "--no-warnings", "--loader", "./.pnp.loader.mjs",
                "-r", "./.pnp.cjs", "--input-type=module", "-e",
                "import escape from 'escape-string-regexp'; console.log(escape('a.b'))"));
        String bin = DepsClient.run(project, "node", "-r", "./.pnp.cjs", "-p", "require.resolve('semver/bin/semver.js')");
        assertTrue(bin.startsWith(project.resolve(".yarn/cache/").toString()) && bin.contains(".zip/"),
                "semver's bin is read from its zip in .yarn/cache: " + bin);
        assertEquals("1.2.3", DepsClient.run(project, "node", "-r", "./.pnp.cjs", bin, "1.2.3"));
        assertEquals("1.2.4", runYarn(project, "run", "semver", "1.2.4"));
    }

    /** Runs the yarn release the server provisioned, in a project, with a fresh HOME. */
    private String runYarn(Path project, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("node", yarnEntry().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true);
        builder.environment().put("HOME", Files.createDirectories(work.resolve("home")).toString());
        builder.environment().put("YARN_ENABLE_TELEMETRY", "0");
        builder.environment().put("YARN_ENABLE_GLOBAL_CACHE", "false");
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "yarn finished");
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    private static Path yarnEntry() {
        Path entry = STORAGE.resolve("toolchains/yarnpkg-cli-dist-" + YARN + "/node_modules/@yarnpkg/cli-dist/bin/yarn.js");
        assertTrue(Files.isRegularFile(entry), "provisioned " + entry);
        return entry;
    }

    /** First, so that its first POST is the one that installs. */
    @Test
    @Order(1)
    void aPnpProjectInstallsOnceThenHitsAndUnzipsIntoAWorkingTree() throws Exception {
        long installs = installsRun();
        JsonNode first = ok(post(files(ESM_PROJECT)));
        assertFalse(first.path("cache_hit").asBoolean(), first.toString());
        String hash = first.path("hash").asText();
        JsonNode second = ok(post(files(ESM_PROJECT)));
        assertTrue(second.path("cache_hit").asBoolean(), second.toString());
        assertEquals(hash, second.path("hash").asText());
        assertEquals(installs + 1, installsRun());

        JsonNode index = index(hash);
        assertEquals(".yarn", index.path("root").asText());
        List<String> paths = paths(index);
        assertTrue(paths.containsAll(List.of(".pnp.cjs", ".pnp.loader.mjs", ".yarn/install-state.gz")), paths.toString());
        assertTrue(paths.stream().anyMatch(p -> p.matches("\\.yarn/cache/semver-npm-7\\.6\\.3-[0-9a-f]+-[0-9a-f]+\\.zip")), paths.toString());
        assertTrue(paths.stream().allMatch(p -> p.startsWith(".yarn/") || p.startsWith(".pnp.")), "only PnP files: " + paths);

        Path project = unzippedProject(hash, ESM_PROJECT);
        assertWorkingPnpTree(project);
        // The same bundle is the same bytes, also when its ZIP is rebuilt from the index and blobs.
        Path zip = STORAGE.resolve("bundles").resolve(hash.substring(0, 2)).resolve(hash.substring(2, 4)).resolve(hash + ".zip");
        assertTrue(Files.deleteIfExists(zip), "the bundle ZIP at " + zip);
        Path again = work.resolve("again.zip");
        assertEquals(200, client.download(hash, again).statusCode());
        assertArrayEquals(Files.readAllBytes(work.resolve(hash + ".zip")), Files.readAllBytes(again));
    }

    @Test
    void pnpProjectsSharingAPackageShareItsZipBlob() throws Exception {
        JsonNode a = index(ok(post(files(ESM_PROJECT))).path("hash").asText());
        Map<String, byte[]> sharing = files(SHARING_PROJECT);
        sharing.put(".yarnrc.yml", "nodeLinker: pnp\n".getBytes(StandardCharsets.UTF_8));
        JsonNode b = index(ok(post(sharing)).path("hash").asText());
        String semverA = semverZip(a);
        assertEquals(semverA, semverZip(b));
        Path blob = STORAGE.resolve("objects").resolve(semverA.substring(0, 2)).resolve(semverA.substring(2, 4)).resolve(semverA);
        assertTrue(Files.isRegularFile(blob), "one blob at " + blob);
    }

    private static String semverZip(JsonNode index) {
        Set<String> found = new HashSet<>();
        index.path("entries").fields().forEachRemaining(e -> {
            if (e.getKey().startsWith(".yarn/cache/semver-npm-7.6.3-")) {
                found.add(e.getValue().path("sha256").asText());
            }
        });
        assertEquals(1, found.size(), found.toString());
        return found.iterator().next();
    }

    @Test
    void installScriptsDoNotRunAndAGeneratedLockfileIsBundled() throws Exception {
        Path marker = work.resolve("script-ran");
        Path tarball = ScriptMarker.tarball(work, marker);
        String packageJson = "{\"name\":\"scripts-project\",\"version\":\"1.0.0\",\"private\":true,\"dependencies\":{"
                + "\"is-number\":\"7.0.0\",\"script-marker\":\"file:" + tarball + "\"}}";
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(".yarnrc.yml", "# no nodeLinker: Yarn's default, Plug'n'Play\n".getBytes(StandardCharsets.UTF_8));
        files.put("package.json", packageJson.getBytes(StandardCharsets.UTF_8));
        String hash = ok(post(files)).path("hash").asText();
        List<String> paths = paths(index(hash));
        assertTrue(paths.contains("yarn.lock"), "the generated lockfile is bundled: " + paths);
        assertTrue(paths.stream().noneMatch(p -> p.startsWith(".yarn/unplugged/")), "nothing unplugged to build: " + paths);

        Path project = work.resolve("project");
        Files.createDirectories(project);
        Files.write(project.resolve("package.json"), files.get("package.json"));
        Path zip = work.resolve(hash + ".zip");
        assertEquals(200, client.download(hash, zip).statusCode());
        DepsClient.unzip(zip, project);
        assertFalse(Files.exists(marker), "an install script ran");
        assertTrue(Files.readString(project.resolve("yarn.lock")).contains("script-marker"));
        assertEquals("script-marker true", DepsClient.run(project, "node", "-r", "./.pnp.cjs", "-e",
                "console.log(require('script-marker/package.json').name, require('is-number')(5))"));
        assertFalse(Files.exists(marker), "requiring it ran no script either");
    }


    @Test
    void aRefusedSettingIs400NamingItAndLeavesNothingBehind() throws Exception {
        long installs = installsRun();
        Map<String, byte[]> files = files(ESM_PROJECT);
        files.put(".yarnrc.yml", "nodeLinker: pnp\nnpmRegistryServer: \"https://registry.example.com\"\n"
                .getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = post(files);
        assertEquals(400, response.statusCode(), response.body());
        assertTrue(parse(response).path("error").asText().startsWith(
                "Setting 'npmRegistryServer' in .yarnrc.yml is not accepted: registry, network,"), response.body());
        assertEquals(installs, installsRun());
        assertEquals(0, server.tmpEntries(), "nothing left in tmp/");
        assertEquals(200, client.postJson(DepsClient.jsonBody("yarn", VERSIONS, files(ESM_PROJECT), null)).statusCode(),
                "the server keeps serving");
    }

    @Test
    void aStaleLockfileIs422NamingTheCause() throws Exception {
        Map<String, byte[]> files = files(ESM_PROJECT);
        String packageJson = new String(files.get("package.json"), StandardCharsets.UTF_8)
                .replace("\"dependencies\": {", "\"dependencies\": {\n    \"left-pad\": \"1.3.0\",");
        files.put("package.json", packageJson.getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = post(files);
        assertEquals(422, response.statusCode(), response.body());
        assertTrue(parse(response).path("log").asText().contains(
                "The lockfile would have been modified by this install, which is explicitly forbidden"), response.body());
    }

    @Test
    void theClientRestoresThePnpInstallBesideTheProjectsOwnYarnFiles() throws Exception {
        String hash = ok(post(files(ESM_PROJECT))).path("hash").asText();
        Path project = Files.createDirectories(work.resolve("scratch"));
        for (Map.Entry<String, byte[]> file : files(ESM_PROJECT).entrySet()) {
            Files.write(project.resolve(file.getKey()), file.getValue());
        }
        // What a project keeps in .yarn/ stays; a stale cache is replaced.
        Path own = Files.createDirectories(project.resolve(".yarn/patches")).resolve("keep.patch");
        Files.writeString(own, "kept");
        Path stale = Files.createDirectories(project.resolve(".yarn/cache")).resolve("stale-npm-1.0.0-0-0.zip");
        Files.writeString(stale, "stale");

        Path bin = Files.createDirectories(work.resolve("bin"));
        Path command = bin.resolve("yarn");
        Files.writeString(command, "#!/bin/sh\nexec node '" + yarnEntry() + "' \"$@\"\n");
        Files.setPosixFilePermissions(command, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(hash, runClient(project, bin, "--print-hash", "yarn").strip());
        String stderr = runClient(project, bin, "--no-fallback", "yarn");
        assertTrue(stderr.contains("restored the Plug'n'Play install (.pnp.cjs, .yarn/cache/) from bundle " + hash), stderr);
        assertFalse(stderr.contains("is not cached"), "a remote hit: " + stderr);
        assertEquals("kept", Files.readString(own));
        assertFalse(Files.exists(stale), "the bundle's cache replaced the stale one");
        try (Stream<Path> left = Files.list(project)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(".polycache-deps")).toList());
        }
        assertWorkingPnpTree(project);
    }

    /** Runs the client from the source tree with {@code sh}; returns its standard output for --print-hash, else its errors. */
    private String runClient(Path project, Path bin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", Path.of("clients/polycache-deps").toAbsolutePath().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile());
        builder.environment().remove("POLYCACHE_KEY");
        builder.environment().put("POLYCACHE_URL", "http://127.0.0.1:" + server.port());
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        builder.environment().put("HOME", Files.createDirectories(work.resolve("home")).toString());
        builder.environment().put("YARN_ENABLE_TELEMETRY", "0");
        Path out = work.resolve("client.out");
        Path err = work.resolve("client.err");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        process.getOutputStream().close();
        assertTrue(process.waitFor(180, TimeUnit.SECONDS), "the client finished");
        String stderr = Files.readString(err);
        assertEquals(0, process.exitValue(), stderr);
        return List.of(args).contains("--print-hash") ? Files.readString(out) : stderr;
    }
}
