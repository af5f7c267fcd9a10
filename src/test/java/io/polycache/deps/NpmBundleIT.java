package io.polycache.deps;

import static io.polycache.testing.DepsClient.countFiles;
import static io.polycache.testing.DepsClient.parse;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polycache.testing.DepsClient;
import io.polycache.testing.DepsClient.Part;
import io.polycache.testing.HostToolchain;
import io.polycache.testing.ScriptMarker;
import io.polycache.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real npm installs from the npm registry, through the built WAR. */
class NpmBundleIT {
    /** The host's own node and npm: this server neither provisions nor uses containers. */
    static final Map<String, String> VERSIONS = HostToolchain.npmVersions();
    static final Path FIXTURES = Path.of("src/test/resources/deps/npm");
    static final int MAX_REQUEST = 256 * 1024;

    @TempDir
    static Path storage;

    @TempDir
    Path work;

    static TestServer server;
    static DepsClient client;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(storage, Map.of("polycache.maxRequestSize", String.valueOf(MAX_REQUEST)));
        client = new DepsClient(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static List<Part> multipart(String project, String... extra) throws IOException {
        List<Part> parts = new ArrayList<>(List.of(Part.field("manager", "npm"), Part.field("hash", "ignored"),
                Part.field("versions", DepsClient.JSON.writeValueAsString(VERSIONS)),
                Part.file("file[]", FIXTURES.resolve(project).resolve("package.json")),
                Part.file("file[]", FIXTURES.resolve(project).resolve("package-lock.json"))));
        if (extra.length > 0) {
            parts.add(Part.field("custom_args", DepsClient.JSON.writeValueAsString(List.of(extra))));
        }
        return parts;
    }

    private static Map<String, byte[]> files(String project) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("package.json", Files.readAllBytes(FIXTURES.resolve(project).resolve("package.json")));
        files.put("package-lock.json", Files.readAllBytes(FIXTURES.resolve(project).resolve("package-lock.json")));
        return files;
    }

    private static JsonNode ok(HttpResponse<String> response) throws IOException {
        assertEquals(200, response.statusCode(), response.body());
        return parse(response);
    }

    private Path downloadAndUnzip(String hash) throws Exception {
        Path zip = work.resolve(hash + ".zip");
        assertEquals(200, client.download(hash, zip).statusCode());
        Path project = work.resolve("project-" + hash.substring(0, 8));
        DepsClient.unzip(zip, project);
        return project;
    }

    @Test
    void aLockedProjectInstallsOnceThenComesFromTheCacheAndUnzipsIntoAWorkingTree() throws Exception {
        JsonNode first = ok(client.postMultipart(multipart("bin-project")));
        String hash = first.path("hash").asText();
        assertEquals(64, hash.length());
        assertEquals("http://127.0.0.1:" + server.port() + "/download/" + hash + ".zip", first.path("download_url").asText());

        JsonNode second = ok(client.postMultipart(multipart("bin-project")));
        assertTrue(second.path("cache_hit").asBoolean());
        assertEquals(hash, second.path("hash").asText());

        Path index = storage.resolve("indexes").resolve(hash.substring(0, 2)).resolve(hash.substring(2, 4))
                .resolve(hash + ".npm." + VERSIONS.get("node") + "_" + VERSIONS.get("npm") + ".index");
        assertTrue(Files.isRegularFile(index), "index at " + index);

        Path project = downloadAndUnzip(hash);
        Path bin = project.resolve("node_modules/.bin/semver");
        assertTrue(Files.isSymbolicLink(bin));
        assertEquals(Path.of("../semver/bin/semver.js"), Files.readSymbolicLink(bin));
        assertTrue(Files.isExecutable(bin.toRealPath()));
        assertEquals("1.2.3", DepsClient.run(project, bin.toString(), "1.2.3"));
        assertEquals("true 2.0.0", DepsClient.run(project, "node", "-e",
                "console.log(require('is-number')(5), require('semver').inc('1.9.9', 'major'))"));
        // The lockfile was sent, so the bundle holds only node_modules.
        assertFalse(Files.exists(project.resolve("package-lock.json")));
    }

    @Test
    void downloadsHaveLengthEtagAndAttachmentNameAndHeadMatchesGet() throws Exception {
        String hash = ok(client.postMultipart(multipart("bin-project"))).path("hash").asText();
        HttpResponse<byte[]> get = server.client().send(server.request("/download/" + hash + ".zip").GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, get.statusCode());
        assertEquals("application/zip", get.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(String.valueOf(get.body().length), get.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("\"" + hash + "\"", get.headers().firstValue("ETag").orElseThrow());
        assertEquals("attachment; filename=" + hash + ".zip", get.headers().firstValue("Content-Disposition").orElseThrow());

        HttpResponse<String> head = server.send(server.request("/download/" + hash + ".zip")
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertEquals(get.headers().firstValue("Content-Length"), head.headers().firstValue("Content-Length"));
        assertEquals(get.headers().firstValue("ETag"), head.headers().firstValue("ETag"));

        HttpResponse<String> revalidated = server.send(server.request("/download/" + hash + ".zip")
                .header("If-None-Match", "\"" + hash + "\"").GET().build());
        assertEquals(304, revalidated.statusCode());
    }

    @Test
    void theJsonFormNamesTheSameBundleAsTheMultipartForm() throws Exception {
        String viaMultipart = ok(client.postMultipart(multipart("bin-project"))).path("hash").asText();
        JsonNode viaJson = ok(client.postJson(DepsClient.jsonBody("npm", VERSIONS, files("bin-project"), null)));
        assertEquals(viaMultipart, viaJson.path("hash").asText());
        assertTrue(viaJson.path("cache_hit").asBoolean());
    }

    @Test
    void installScriptsDoNotRunAndAGeneratedLockfileIsBundled() throws Exception {
        // @scarf/scarf is a real registry package with a postinstall script; script-marker is a
        // local tarball whose every install script would leave a file behind if it ran.
        Path marker = work.resolve("script-ran");
        Path tarball = ScriptMarker.tarball(work, marker);
        String packageJson = "{\"name\":\"scripts-project\",\"version\":\"1.0.0\",\"dependencies\":{"
                + "\"@scarf/scarf\":\"1.4.0\",\"script-marker\":\"file:" + tarball + "\"}}";
        JsonNode answer = ok(client.postJson(DepsClient.jsonBody("npm", VERSIONS,
                Map.of("package.json", packageJson.getBytes(StandardCharsets.UTF_8)), null)));

        Path project = downloadAndUnzip(answer.path("hash").asText());
        assertTrue(Files.isRegularFile(project.resolve("node_modules/@scarf/scarf/report.js")));
        assertTrue(Files.isRegularFile(project.resolve("node_modules/script-marker/package.json")));
        try (var files = Files.list(project.resolve("node_modules/script-marker"))) {
            assertEquals(List.of("package.json"), files.map(p -> p.getFileName().toString()).toList());
        }
        assertFalse(Files.exists(marker), "an install script ran");
        String lock = Files.readString(project.resolve("package-lock.json"));
        assertTrue(lock.contains("\"node_modules/@scarf/scarf\""), lock);
    }


    @Test
    void concurrentIdenticalRequestsShareOneInstall() throws Exception {
        long installsBefore = installsRun();
        // Custom args make this a bundle no other test installs.
        String body = DepsClient.jsonBody("npm", VERSIONS, files("bin-project"), List.of("--omit=optional"));
        int clients = 6;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return client.postJson(body);
                }));
            }
            go.countDown();
            Set<String> hashes = new HashSet<>();
            for (Future<HttpResponse<String>> answer : answers) {
                hashes.add(ok(answer.get()).path("hash").asText());
            }
            assertEquals(1, hashes.size());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(installsBefore + 1, installsRun());
    }

    private static long installsRun() throws Exception {
        return parse(server.get("/v1/stats")).path("installs_since_start").path("run").asLong();
    }

    @Test
    void projectsSharingPackagesShareBlobs() throws Exception {
        String a = ok(client.postMultipart(multipart("bin-project"))).path("hash").asText();
        String b = ok(client.postMultipart(multipart("sharing-project"))).path("hash").asText();
        JsonNode entriesA = readIndex(a).path("entries");
        JsonNode entriesB = readIndex(b).path("entries");
        String semverMain = "node_modules/semver/index.js";
        assertEquals(entriesA.path(semverMain).path("sha256").asText(), entriesB.path(semverMain).path("sha256").asText());
        assertTrue(entriesB.has("node_modules/ms/index.js"));

        Set<String> referenced = new HashSet<>();
        int files = 0;
        for (JsonNode entries : List.of(entriesA, entriesB)) {
            for (JsonNode entry : entries) {
                if (entry.has("sha256")) {
                    referenced.add(entry.path("sha256").asText());
                    files++;
                }
            }
        }
        assertTrue(referenced.size() < files - 50, referenced.size() + " blobs for " + files + " files");
        for (String blob : referenced) {
            assertTrue(Files.isRegularFile(storage.resolve("objects").resolve(blob.substring(0, 2))
                    .resolve(blob.substring(2, 4)).resolve(blob)));
        }
        JsonNode stats = parse(server.get("/v1/stats"));
        assertTrue(stats.path("deduplication_ratio").asDouble() > 1.0, stats.toString());
        assertTrue(stats.path("installed_bytes").asLong() > stats.path("blobs").path("bytes").asLong(), stats.toString());
        assertTrue(stats.path("indexes").path("count").asLong() >= 2, stats.toString());
    }

    private static JsonNode readIndex(String hash) throws IOException {
        Path shard = storage.resolve("indexes").resolve(hash.substring(0, 2)).resolve(hash.substring(2, 4));
        try (var found = Files.list(shard)) {
            Path index = found.filter(p -> p.getFileName().toString().startsWith(hash)).findFirst().orElseThrow();
            return DepsClient.JSON.readTree(index.toFile());
        }
    }

    @Test
    void aDeletedBundleFileIsRebuiltByteForByte() throws Exception {
        String hash = ok(client.postMultipart(multipart("bin-project"))).path("hash").asText();
        Path first = work.resolve("first.zip");
        assertEquals(200, client.download(hash, first).statusCode());
        Path stored = storage.resolve("bundles").resolve(hash.substring(0, 2)).resolve(hash.substring(2, 4)).resolve(hash + ".zip");
        assertTrue(Files.isRegularFile(stored));

        Files.delete(stored);
        Path second = work.resolve("second.zip");
        assertEquals(200, client.download(hash, second).statusCode());
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
        assertTrue(Files.isRegularFile(stored));
    }

    @Test
    void aFailedInstallIs422WithItsOutputAndLeavesNothingBehind() throws Exception {
        long indexes = countFiles(storage.resolve("indexes"));
        long blobs = countFiles(storage.resolve("objects"));
        String packageJson = "{\"name\":\"broken\",\"version\":\"1.0.0\",\"dependencies\":{"
                + "\"@polycache-test/this-package-does-not-exist\":\"1.0.0\"}}";
        HttpResponse<String> response = client.postJson(DepsClient.jsonBody("npm", VERSIONS,
                Map.of("package.json", packageJson.getBytes(StandardCharsets.UTF_8)), null));
        assertEquals(422, response.statusCode(), response.body());
        JsonNode body = parse(response);
        assertEquals("Installation failed", body.path("error").asText());
        assertTrue(body.path("log").asText().contains("404"), body.path("log").asText());

        assertEquals(0, server.tmpEntries());
        assertEquals(indexes, countFiles(storage.resolve("indexes")));
        assertEquals(blobs, countFiles(storage.resolve("objects")));
    }

    @Test
    void aPlatformGetsTheRunnersOptionalBinariesUnderItsOwnHash() throws Exception {
        List<Part> armParts = multipart("platform-project");
        armParts.add(Part.field("platform", "{\"os\":\"linux\",\"cpu\":\"arm64\",\"libc\":\"glibc\"}"));
        String arm = ok(client.postMultipart(armParts)).path("hash").asText();
        ObjectNode x64Body = (ObjectNode) DepsClient.JSON.readTree(DepsClient.jsonBody("npm", VERSIONS, files("platform-project"), null));
        x64Body.putObject("platform").put("os", "linux").put("cpu", "x64").put("libc", "glibc");
        String x64 = ok(client.postJson(x64Body.toString())).path("hash").asText();
        String serverPlatform = ok(client.postMultipart(multipart("platform-project"))).path("hash").asText();

        assertEquals(3, Set.of(arm, x64, serverPlatform).size(), "three bundles, three names");
        assertEquals(depCacheProxyHash(files("platform-project")), serverPlatform, "no platform: DepCacheProxy's hash");
        assertEquals(Set.of("@esbuild/linux-arm64"), esbuildBinaries(arm));
        assertEquals(Set.of("@esbuild/linux-x64"), esbuildBinaries(x64));
        // Without a platform the install is for the server's own (this test runs on linux x64).
        assertEquals(Set.of("@esbuild/linux-x64"), esbuildBinaries(serverPlatform));

        HttpResponse<String> musl = client.postMultipart(List.of(Part.field("manager", "npm"),
                Part.field("versions", DepsClient.JSON.writeValueAsString(VERSIONS)),
                Part.field("platform", "{\"os\":\"linux\",\"cpu\":\"x86_64\",\"libc\":\"musl\"}"),
                Part.file("file", FIXTURES.resolve("platform-project/package.json"))));
        assertEquals(400, musl.statusCode(), musl.body());
        assertTrue(parse(musl).path("error").asText().startsWith("Unsupported platform cpu 'x86_64'"), musl.body());
    }

    /** The packages under node_modules/@esbuild/ in a bundle. */
    private Set<String> esbuildBinaries(String hash) throws Exception {
        Path zip = work.resolve(hash + ".zip");
        assertEquals(200, client.download(hash, zip).statusCode());
        Set<String> packages = new java.util.TreeSet<>();
        try (java.util.zip.ZipFile file = new java.util.zip.ZipFile(zip.toFile())) {
            file.stream().map(java.util.zip.ZipEntry::getName).filter(name -> name.startsWith("node_modules/@esbuild/"))
                    .forEach(name -> packages.add(name.split("/")[1] + "/" + name.split("/")[2]));
        }
        return packages;
    }

    /** DepCacheProxy's bundle name, written out independently of the server's code. */
    private static String depCacheProxyHash(Map<String, byte[]> files) throws Exception {
        java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        text.writeBytes(("npm\0node:" + VERSIONS.get("node") + "\0npm:" + VERSIONS.get("npm") + "\0").getBytes(StandardCharsets.UTF_8));
        for (String name : new java.util.TreeSet<>(files.keySet())) {
            text.writeBytes((name + "\0").getBytes(StandardCharsets.UTF_8));
            text.writeBytes(files.get(name));
            text.write(0);
        }
        return java.util.HexFormat.of().formatHex(digest.digest(text.toByteArray()));
    }

    @Test
    void anOutOfSyncLockfilesFailureNamesTheMissingPackage() throws Exception {
        Map<String, byte[]> files = files("bin-project");
        String packageJson = new String(files.get("package.json"), StandardCharsets.UTF_8)
                .replace("\"dependencies\": {", "\"dependencies\": {\n    \"left-pad\": \"1.3.0\",");
        files.put("package.json", packageJson.getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = client.postJson(DepsClient.jsonBody("npm", VERSIONS, files, null));
        assertEquals(422, response.statusCode(), response.body());
        String log = parse(response).path("log").asText();
        assertTrue(log.contains("Missing: left-pad@1.3.0 from lock file"), log);
        assertFalse(log.contains("_logs"), "no server-side log path: " + log);
        assertFalse(log.contains(storage.toString()), "no server-side path: " + log);
    }

    @Test
    void everyMalformedRequestIs400AndLeavesNothingBehind() throws Exception {
        byte[] pkg = Files.readAllBytes(FIXTURES.resolve("bin-project/package.json"));
        String pkg64 = java.util.Base64.getEncoder().encodeToString(pkg);
        String versions = "\"versions\":{\"node\":\"" + VERSIONS.get("node") + "\",\"npm\":\"" + VERSIONS.get("npm") + "\"}";
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("[]", "The body must be a JSON object");
        cases.put("{\"manager\":\"npm\"", "Malformed JSON");
        cases.put("{\"files\":{\"package.json\":\"" + pkg64 + "\"}," + versions + "}", "Missing field 'manager'");
        cases.put("{\"manager\":\"pip\",\"files\":{\"package.json\":\"" + pkg64 + "\"}}", "Unsupported manager 'pip'");
        cases.put("{\"manager\":\"npm\",\"files\":{\".npmrc\":\"" + pkg64 + "\"}}", "Unsupported file name '.npmrc'");
        cases.put("{\"manager\":\"npm\",\"files\":{\"../package.json\":\"" + pkg64 + "\"}}", "Unsupported file name '../package.json'");
        cases.put("{\"manager\":\"npm\",\"files\":{\"package-lock.json\":\"e30=\"}," + versions + "}", "Missing file 'package.json'");
        cases.put("{\"manager\":\"npm\",\"files\":{\"package.json\":\"not base64!\"}}", "Invalid base64 content for file 'package.json'");
        cases.put("{\"manager\":\"npm\",\"files\":{\"package.json\":\"" + pkg64 + "\"}}", "Missing field 'versions'");
        cases.put("{\"manager\":\"npm\",\"files\":{\"package.json\":\"" + pkg64 + "\"},\"versions\":{\"node\":\"20\"}}",
                "Missing version 'npm'");
        cases.put("{\"manager\":\"npm\",\"files\":{\"package.json\":\"" + pkg64 + "\"},\"versions\":{\"node\":\"20;rm -rf /\",\"npm\":\"10\"}}",
                "Invalid version for 'node'");
        cases.put("{\"manager\":\"npm\",\"files\":{\"package.json\":\"" + pkg64 + "\"}," + versions
                + ",\"custom_args\":[\"--registry=http://evil.example\"]}", "Custom argument '--registry=http://evil.example' is not allowed");
        cases.put("{\"manager\":\"npm\",\"files\":{\"package.json\":\"" + pkg64 + "\"}," + versions
                + ",\"custom_args\":\"--omit=dev\"}", "Field 'custom_args' must be an array of strings");
        cases.put("{\"manager\":\"composer\",\"files\":{\"package.json\":\"" + pkg64 + "\"},\"versions\":{\"php\":\"8.2\"}}",
                "Unexpected file 'package.json' for composer");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> response = client.postJson(c.getKey());
            assertEquals(400, response.statusCode(), c.getKey() + " -> " + response.body());
            assertTrue(parse(response).path("error").asText().startsWith(c.getValue()), c.getKey() + " -> " + response.body());
        }

        HttpResponse<String> badVersions = client.postMultipart(List.of(Part.field("manager", "npm"),
                Part.field("versions", "node=20"), new Part("file", "package.json", pkg)));
        assertEquals(400, badVersions.statusCode(), badVersions.body());
        assertTrue(badVersions.body().contains("Field 'versions' is not valid JSON"), badVersions.body());
        assertTrue(badVersions.body().endsWith("; expected a JSON object, e.g. {\\\"node\\\":\\\"20.11.1\\\",\\\"npm\\\":\\\"10.2.4\\\"}\"}"),
                badVersions.body());

        HttpResponse<String> badArgs = client.postMultipart(List.of(Part.field("manager", "npm"),
                Part.field("versions", DepsClient.JSON.writeValueAsString(VERSIONS)), Part.field("custom_args", "--omit=dev"),
                new Part("file", "package.json", pkg)));
        assertEquals(400, badArgs.statusCode(), badArgs.body());
        assertTrue(parse(badArgs).path("error").asText().startsWith("Field 'custom_args' is not valid JSON: "), badArgs.body());
        assertTrue(parse(badArgs).path("error").asText().endsWith("; expected a JSON array, e.g. [\"--omit=dev\"]"),
                badArgs.body());

        HttpResponse<String> fileNamedPart = client.postMultipart(List.of(Part.field("manager", "npm"),
                Part.field("versions", DepsClient.JSON.writeValueAsString(VERSIONS)), new Part("package.json", "package.json", pkg)));
        assertEquals(400, fileNamedPart.statusCode(), fileNamedPart.body());
        assertEquals("Part 'package.json' carries the file 'package.json': send each file as a part named file, "
                + "e.g. curl -F file=@package.json", parse(fileNamedPart).path("error").asText());

        HttpResponse<String> noBoundary = server.send(server.request("/v1/cache").header("Content-Type", "multipart/form-data")
                .POST(HttpRequest.BodyPublishers.ofString("--x\r\n")).build());
        assertEquals(400, noBoundary.statusCode(), noBoundary.body());

        HttpResponse<String> wrongType = server.send(server.request("/v1/cache").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("manager=npm")).build());
        assertEquals(415, wrongType.statusCode(), wrongType.body());
        assertEquals("POST /v1/cache takes multipart/form-data (curl -F) or application/json, not text/plain",
                parse(wrongType).path("error").asText());

        assertEquals(0, server.tmpEntries());
    }

    @Test
    void versionsThisServerCannotHonourAre400AndLeaveNothingBehind() throws Exception {
        long indexes = countFiles(storage.resolve("indexes"));
        HttpResponse<String> response = client.postJson(DepsClient.jsonBody("npm", Map.of("node", "14.20.0", "npm", "6.14.13"),
                files("bin-project"), null));
        assertEquals(400, response.statusCode(), response.body());
        assertEquals("Cannot install with node 14.20.0 and npm 6.14.13: this server has node " + VERSIONS.get("node")
                + " and npm " + VERSIONS.get("npm") + ", and neither provisioning (polycache.toolchains.provision) nor the"
                + " container fallback (polycache.container.enabled) is on", parse(response).path("error").asText());
        assertEquals(0, server.tmpEntries());
        assertEquals(indexes, countFiles(storage.resolve("indexes")));
        assertFalse(Files.exists(storage.resolve("toolchains").resolve("node-14.20.0-linux-x64")));
    }

    @Test
    void aBodyOverTheRequestLimitIs413() throws Exception {
        ByteArrayOutputStream big = new ByteArrayOutputStream();
        big.writeBytes("{\"name\":\"big\",\"description\":\"".getBytes(StandardCharsets.UTF_8));
        big.writeBytes("x".repeat(MAX_REQUEST).getBytes(StandardCharsets.UTF_8));
        big.writeBytes("\"}".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> json = client.postJson(DepsClient.jsonBody("npm", VERSIONS, Map.of("package.json", big.toByteArray()), null));
        assertEquals(413, json.statusCode(), json.body());
        HttpResponse<String> multipart = client.postMultipart(List.of(Part.field("manager", "npm"),
                new Part("file", "package.json", big.toByteArray())));
        assertEquals(413, multipart.statusCode(), multipart.body());
        assertEquals(0, server.tmpEntries());
    }

    @Test
    void anUnknownBundleIs404() throws Exception {
        assertEquals(404, server.get("/download/" + "0".repeat(64) + ".zip").statusCode());
        assertEquals(404, server.get("/download/not-a-hash.zip").statusCode());
        HttpResponse<String> head = server.send(server.request("/download/" + "1".repeat(64) + ".zip")
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(404, head.statusCode());
    }
}
