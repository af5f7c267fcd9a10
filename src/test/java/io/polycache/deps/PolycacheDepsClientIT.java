package io.polycache.deps;

import static io.polycache.testing.DepsClient.parse;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.polycache.testing.DepsClient;
import io.polycache.testing.DepsClient.Part;
import io.polycache.testing.HostToolchain;
import io.polycache.testing.TestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code polycache-deps} client, fetched from the server as a CI job would and run with
 * {@code sh} (dash on Debian: POSIX only), against the real WAR, real npm and real composer.
 */
class PolycacheDepsClientIT {
    static final String WRITER = "client-it-writer";
    static final String READER = "client-it-reader";
    static final Path BIN_PROJECT = Path.of("src/test/resources/deps/npm/bin-project");
    static final Pattern RESTORED = Pattern.compile("restored (node_modules|vendor)/ from bundle ([0-9a-f]{64})");
    /** This machine's platform in npm's words: the tests run on x64 glibc Linux. */
    static final String PLATFORM_JSON = "{\"os\":\"linux\",\"cpu\":\"x64\",\"libc\":\"glibc\"}";

    @TempDir
    static Path dir;

    @TempDir
    Path work;

    static TestServer server;
    static Path script;
    static DepsClient writer;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(dir.resolve("cache"), Map.of("polycache.apiKeys", WRITER + " rw," + READER + " ro"));
        writer = new DepsClient(server, "Bearer " + WRITER);
        // Fetched without a key, as a job does before it uses one.
        HttpResponse<byte[]> served = server.client().send(server.request("/client/polycache-deps").GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, served.statusCode());
        assertArrayEquals(Files.readAllBytes(Path.of("clients/polycache-deps")), served.body());
        script = dir.resolve("polycache-deps");
        Files.write(script, served.body());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Run(int exit, String stdout, String stderr) {
        String restoredHash() {
            Matcher m = RESTORED.matcher(stderr);
            assertTrue(m.find(), stderr);
            return m.group(2);
        }
    }

    /** Runs the client in {@code project} with POLYCACHE_URL and, when given, POLYCACHE_KEY. */
    private static Run clientAt(String url, Path project, String key, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile());
        builder.environment().remove("POLYCACHE_KEY");
        builder.environment().remove("POLYCACHE_PLATFORM");
        builder.environment().put("POLYCACHE_URL", url);
        if (key != null) {
            builder.environment().put("POLYCACHE_KEY", key);
        }
        Path out = Files.createTempFile(project, "out", ".txt");
        Path err = Files.createTempFile(project, "err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        process.getOutputStream().close();
        assertTrue(process.waitFor(180, TimeUnit.SECONDS), "the client finished");
        Run run = new Run(process.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return run;
    }

    private static Run client(Path project, String key, String... args) throws Exception {
        return clientAt("http://127.0.0.1:" + server.port(), project, key, args);
    }

    private Path npmProject(String name) throws IOException {
        Path project = Files.createDirectories(work.resolve(name));
        for (String file : List.of("package.json", "package-lock.json")) {
            Files.copy(BIN_PROJECT.resolve(file), project.resolve(file));
        }
        return project;
    }

    private static long posts() throws Exception {
        HttpResponse<String> metrics = server.send(server.request("/metrics").header("Authorization", "Bearer " + WRITER).GET().build());
        assertEquals(200, metrics.statusCode());
        return Math.round(metrics.body().lines()
                .filter(line -> line.startsWith("polycache_requests_total{method=\"POST\",protocol=\"deps\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum());
    }

    private static long installsRun() throws Exception {
        HttpResponse<String> stats = server.send(server.request("/v1/stats").header("Authorization", "Bearer " + WRITER).GET().build());
        return parse(stats).path("installs_since_start").path("run").asLong();
    }

    private static void assertWorkingTree(Path project) throws Exception {
        assertEquals("1.2.3", DepsClient.run(project, project.resolve("node_modules/.bin/semver").toString(), "1.2.3"));
        try (var entries = Files.list(project)) {
            assertEquals(List.of(), entries.filter(p -> p.getFileName().toString().startsWith(".polycache-deps")).toList(),
                    "no temporary directory left");
        }
    }

    @Test
    void coldThenWarmThenReadOnlyAllFromOneBundleWithoutASecondPost() throws Exception {
        long postsBefore = posts();
        // A custom argument of its own: no other test asks for this bundle.
        Path cold = npmProject("cold");
        Run first = client(cold, WRITER, "npm", "--", "--omit=peer");
        assertEquals(0, first.exit(), first.stderr());
        assertTrue(first.stderr().contains("is not cached; asking"), first.stderr());
        assertFalse(first.stderr().contains("warning"), first.stderr());
        assertWorkingTree(cold);
        assertEquals(postsBefore + 1, posts());

        // Warm, over an existing node_modules with a stale file and a changed one.
        Path warm = npmProject("warm");
        Files.createDirectories(warm.resolve("node_modules/semver"));
        Files.writeString(warm.resolve("node_modules/stale.txt"), "left over");
        Files.writeString(warm.resolve("node_modules/semver/package.json"), "{}");
        Run second = client(warm, WRITER, "npm", "--", "--omit=peer");
        assertEquals(0, second.exit(), second.stderr());
        assertEquals(first.restoredHash(), second.restoredHash());
        assertFalse(Files.exists(warm.resolve("node_modules/stale.txt")), "the old tree is gone");
        assertWorkingTree(warm);
        assertEquals(postsBefore + 1, posts(), "a warm run only GETs");

        Path readOnly = npmProject("read-only");
        Run third = client(readOnly, READER, "npm", "--", "--omit=peer");
        assertEquals(0, third.exit(), third.stderr());
        assertFalse(third.stderr().contains("warning"), third.stderr());
        assertWorkingTree(readOnly);
        assertEquals(postsBefore + 1, posts());

        // The server side of it: a read-only key's POST for a stored bundle is answered.
        DepsClient reader = new DepsClient(server, "Bearer " + READER);
        List<Part> parts = npmParts(PLATFORM_JSON);
        parts.add(Part.field("custom_args", "[\"--omit=peer\"]"));
        JsonNode answer = parse(ok(reader.postMultipart(parts)));
        assertTrue(answer.path("cache_hit").asBoolean());
        assertEquals(first.restoredHash(), answer.path("hash").asText());
        assertEquals("http://127.0.0.1:" + server.port() + "/download/" + first.restoredHash() + ".zip",
                answer.path("download_url").asText());
    }

    @Test
    void aReadOnlyKeyMissFallsBackToALocalInstallWithOneWarning() throws Exception {
        long installs = installsRun();
        Path project = npmProject("ro-miss");
        Run run = client(project, READER, "npm", "--", "--omit=optional");
        assertEquals(0, run.exit(), run.stderr());
        List<String> warnings = run.stderr().lines().filter(line -> line.startsWith("polycache-deps: warning:")).toList();
        assertEquals(1, warnings.size(), run.stderr());
        assertTrue(warnings.get(0).contains("HTTP 403: a read-only key cannot start an install"), warnings.get(0));
        assertTrue(warnings.get(0).endsWith("running npm ci locally instead"), warnings.get(0));
        assertWorkingTree(project);
        assertEquals(installs, installsRun(), "the server installed nothing");
    }

    @Test
    void aServerThatIsDownMeansALocalInstallOrWithNoFallbackAFailure() throws Exception {
        String down;
        try (ServerSocket socket = new ServerSocket(0)) {
            down = "http://127.0.0.1:" + socket.getLocalPort();
        }
        Path strict = npmProject("down-strict");
        Run failed = clientAt(down, strict, WRITER, "--no-fallback", "npm");
        assertEquals(3, failed.exit(), failed.stderr());
        assertTrue(failed.stderr().contains("cannot reach " + down), failed.stderr());
        assertFalse(Files.exists(strict.resolve("node_modules")));

        Path project = npmProject("down");
        Run run = clientAt(down, project, WRITER, "npm");
        assertEquals(0, run.exit(), run.stderr());
        assertTrue(run.stderr().contains("polycache-deps: warning: cannot reach " + down), run.stderr());
        assertWorkingTree(project);
    }

    @Test
    void theClientsNpmHashIsTheServersWithAndWithoutAPlatformAndCustomArgs() throws Exception {
        Path project = npmProject("npm-hashes");
        assertEquals(serverHash(writer.postMultipart(npmParts(PLATFORM_JSON))), printHash(project, "npm"));
        assertEquals(serverHash(writer.postMultipart(npmParts(null))), printHash(project, "--platform", "none", "npm"));
        List<Part> withArgs = npmParts(PLATFORM_JSON);
        withArgs.add(Part.field("custom_args", "[\"--omit=dev\",\"--legacy-peer-deps\"]"));
        assertEquals(serverHash(writer.postMultipart(withArgs)), printHash(project, "npm", "--", "--omit=dev", "--legacy-peer-deps"));
        List<Part> arm = npmParts("{\"os\":\"linux\",\"cpu\":\"arm64\",\"libc\":\"musl\"}");
        assertEquals(serverHash(writer.postMultipart(arm)), printHash(project, "--platform", "linux-arm64-musl", "npm"));
    }

    @Test
    void composerThroughTheClientAndItsHashWithAndWithoutAPlatformAndCustomArgs() throws Exception {
        Path repository = Files.createDirectories(work.resolve("repository"));
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(repository.resolve("acme-hello-1.0.0.zip")))) {
            zip.putNextEntry(new ZipEntry("composer.json"));
            zip.write("{\"name\":\"acme/hello\",\"version\":\"1.0.0\",\"autoload\":{\"files\":[\"hello.php\"]}}"
                    .getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("hello.php"));
            zip.write("<?php function acme_hello() { return 'hello from vendor'; }\n".getBytes(StandardCharsets.UTF_8));
        }
        Path project = Files.createDirectories(work.resolve("composer-project"));
        byte[] composerJson = ("{\"name\":\"acme/app\",\"repositories\":[{\"type\":\"artifact\",\"url\":\"" + repository
                + "\"},{\"packagist.org\":false}],\"require\":{\"acme/hello\":\"1.0.0\"}}").getBytes(StandardCharsets.UTF_8);
        Files.write(project.resolve("composer.json"), composerJson);
        Files.createDirectories(project.resolve("vendor/old"));

        Run run = client(project, WRITER, "composer");
        assertEquals(0, run.exit(), run.stderr());
        assertFalse(Files.exists(project.resolve("vendor/old")));
        assertEquals("hello from vendor", DepsClient.run(project, "php", "-r", "require 'vendor/autoload.php'; echo acme_hello();"));
        assertTrue(Files.isRegularFile(project.resolve("composer.lock")), "the lockfile the server's install wrote");

        // The client never sends a platform for composer; the server ignores one.
        String php = HostToolchain.phpMinor();
        List<Part> parts = new ArrayList<>(List.of(Part.field("manager", "composer"),
                Part.field("versions", "{\"php\":\"" + php + "\"}"), new Part("file", "composer.json", composerJson)));
        assertEquals(run.restoredHash(), serverHash(writer.postMultipart(parts)));
        parts.add(Part.field("platform", "{\"os\":\"darwin\",\"cpu\":\"arm64\"}"));
        assertEquals(run.restoredHash(), serverHash(writer.postMultipart(parts)));

        // Now with the lockfile beside it, and a custom argument.
        Path locked = Files.createDirectories(work.resolve("composer-locked"));
        Files.write(locked.resolve("composer.json"), composerJson);
        Files.copy(project.resolve("composer.lock"), locked.resolve("composer.lock"));
        List<Part> lockedParts = new ArrayList<>(List.of(Part.field("manager", "composer"),
                Part.field("versions", "{\"php\":\"" + php + "\"}"), new Part("file", "composer.json", composerJson),
                Part.file("file", locked.resolve("composer.lock")), Part.field("custom_args", "[\"--no-dev\"]")));
        assertEquals(serverHash(writer.postMultipart(lockedParts)), printHash(locked, "composer", "--", "--no-dev"));
    }

    @Test
    void helpAndUsageErrors() throws Exception {
        Run help = client(work, null, "--help");
        assertEquals(0, help.exit());
        for (String documented : List.of("--server URL", "--key KEY", "--no-fallback", "POLYCACHE_URL", "POLYCACHE_KEY",
                "Exit status:", "  3  the cache could not help and --no-fallback was given")) {
            assertTrue(help.stdout().contains(documented), documented);
        }
        Run unknown = client(work, null, "--bogus", "npm");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.stderr().contains("unknown argument: --bogus"), unknown.stderr());
        Run noManifest = client(work, null, "npm");
        assertEquals(2, noManifest.exit());
        assertTrue(noManifest.stderr().contains("no package.json in"), noManifest.stderr());
    }

    private static List<Part> npmParts(String platform) throws IOException {
        List<Part> parts = new ArrayList<>(List.of(Part.field("manager", "npm"),
                Part.field("versions", DepsClient.JSON.writeValueAsString(HostToolchain.npmVersions())),
                Part.file("file", BIN_PROJECT.resolve("package.json")), Part.file("file", BIN_PROJECT.resolve("package-lock.json"))));
        if (platform != null) {
            parts.add(Part.field("platform", platform));
        }
        return parts;
    }

    private static HttpResponse<String> ok(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        return response;
    }

    private static String serverHash(HttpResponse<String> response) throws IOException {
        return parse(ok(response)).path("hash").asText();
    }

    private static String printHash(Path project, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--print-hash"));
        all.addAll(List.of(args));
        Run run = client(project, null, all.toArray(String[]::new));
        assertEquals(0, run.exit(), run.stderr());
        return run.stdout().strip();
    }
}
