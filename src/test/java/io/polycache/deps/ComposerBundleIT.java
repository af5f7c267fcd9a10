package io.polycache.deps;

import static io.polycache.testing.DepsClient.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.polycache.testing.DepsClient;
import io.polycache.testing.DepsClient.Part;
import io.polycache.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real composer installs from an offline artifact repository (packagist is not reachable from CI). */
class ComposerBundleIT {
    /** This machine's PHP as major.minor (e.g. 8.2), which the host's 8.2.x matches. */
    static final String PHP = io.polycache.testing.HostToolchain.phpMinor();
    static final String VERSIONS = "{\"php\":\"" + PHP + "\"}";

    @TempDir
    static Path storage;

    @TempDir
    static Path repository;

    @TempDir
    Path work;

    static TestServer server;
    static DepsClient client;
    static byte[] composerJson;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(storage, Map.of());
        client = new DepsClient(server);
        packageZip("acme-hello-1.0.0.zip", Map.of(
                "composer.json", "{\"name\":\"acme/hello\",\"version\":\"1.0.0\",\"autoload\":{\"psr-4\":{\"Acme\\\\Hello\\\\\":\"src/\"}},"
                        + "\"bin\":[\"bin/hello\"]}",
                "src/Greeter.php", "<?php\nnamespace Acme\\Hello;\nfinal class Greeter {\n"
                        + "    public static function greet(string $name): string { return \"Hello, $name\"; }\n}\n",
                "bin/hello", "#!/usr/bin/env php\n<?php\nrequire $_composer_autoload_path ?? __DIR__ . '/../../../autoload.php';\n"
                        + "echo \\Acme\\Hello\\Greeter::greet($argv[1] ?? 'world'), \"\\n\";\n"));
        packageZip("acme-devtool-1.0.0.zip", Map.of(
                "composer.json", "{\"name\":\"acme/devtool\",\"version\":\"1.0.0\"}",
                "README.md", "only for development\n"));
        composerJson = ("{\"name\":\"acme/app\",\"repositories\":[{\"type\":\"artifact\",\"url\":\"" + repository
                + "\"},{\"packagist.org\":false}],\"require\":{\"acme/hello\":\"1.0.0\"},"
                + "\"require-dev\":{\"acme/devtool\":\"1.0.0\"}}").getBytes(StandardCharsets.UTF_8);
    }

    private static void packageZip(String name, Map<String, String> files) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(repository.resolve(name)))) {
            for (Map.Entry<String, String> file : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(file.getKey()));
                zip.write(file.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> post(byte[] lock, String... args) throws Exception {
        return post(VERSIONS, lock, args);
    }

    private static HttpResponse<String> post(String versions, byte[] lock, String... args) throws Exception {
        List<Part> parts = new ArrayList<>(List.of(Part.field("manager", "composer"), Part.field("versions", versions),
                new Part("file", "composer.json", composerJson)));
        if (lock != null) {
            parts.add(new Part("file", "composer.lock", lock));
        }
        if (args.length > 0) {
            parts.add(Part.field("custom_args", DepsClient.JSON.writeValueAsString(List.of(args))));
        }
        return client.postMultipart(parts);
    }

    private Path unzipped(JsonNode answer) throws Exception {
        String hash = answer.path("hash").asText();
        Path zip = work.resolve(hash + ".zip");
        assertEquals(200, client.download(hash, zip).statusCode());
        Path project = work.resolve("project-" + hash.substring(0, 8));
        DepsClient.unzip(zip, project);
        return project;
    }

    @Test
    void aProjectInstallsOnceAndUnzipsIntoAWorkingVendorTree() throws Exception {
        HttpResponse<String> first = post(null);
        assertEquals(200, first.statusCode(), first.body());
        assertFalse(parse(first).path("cache_hit").asBoolean());
        HttpResponse<String> second = post(null);
        assertTrue(parse(second).path("cache_hit").asBoolean());

        Path project = unzipped(parse(first));
        assertEquals("Hello, ci", DepsClient.run(project, "php", "-r",
                "require 'vendor/autoload.php'; echo \\Acme\\Hello\\Greeter::greet('ci');"));
        Path bin = project.resolve("vendor/bin/hello");
        assertTrue(Files.isExecutable(bin));
        assertEquals("Hello, bundle", DepsClient.run(project, bin.toString(), "bundle"));
        assertTrue(Files.isDirectory(project.resolve("vendor/acme/devtool")), "dev dependencies are installed by default");
        // No lockfile was sent: the one composer wrote comes with the bundle.
        assertTrue(Files.readString(project.resolve("composer.lock")).contains("\"acme/hello\""));
    }

    @Test
    void noDevAndALockfileAreHonoured() throws Exception {
        Path generated = unzipped(parse(post(null)));
        byte[] lock = Files.readAllBytes(generated.resolve("composer.lock"));

        HttpResponse<String> locked = post(lock, "--no-dev");
        assertEquals(200, locked.statusCode(), locked.body());
        assertNotEquals(parse(post(null)).path("hash").asText(), parse(locked).path("hash").asText());
        Path project = unzipped(parse(locked));
        assertTrue(Files.isDirectory(project.resolve("vendor/acme/hello")));
        assertFalse(Files.exists(project.resolve("vendor/acme/devtool")));
        assertFalse(Files.exists(project.resolve("composer.lock")), "the sent lockfile is not bundled back");
    }

    @Test
    void aComposerRequestIsRefusedNpmArguments() throws Exception {
        HttpResponse<String> response = post(null, "--omit=dev");
        assertEquals(400, response.statusCode());
        assertTrue(response.body().contains("Custom argument '--omit=dev' is not allowed for composer"), response.body());
        assertEquals(0, server.tmpEntries());
    }

    @Test
    void anUnresolvableRequirementIs422WithComposersProblem() throws Exception {
        byte[] broken = ("{\"name\":\"acme/broken\",\"repositories\":[{\"type\":\"artifact\",\"url\":\"" + repository
                + "\"},{\"packagist.org\":false}],\"require\":{\"acme/missing\":\"1.0.0\"}}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = client.postMultipart(List.of(Part.field("manager", "composer"),
                Part.field("versions", VERSIONS), new Part("file", "composer.json", broken)));
        assertEquals(422, response.statusCode(), response.body());
        String log = parse(response).path("log").asText();
        assertTrue(log.contains("  Problem 1\n    - Root composer.json requires acme/missing"), log);
        assertEquals(0, server.tmpEntries());
    }

    @Test
    void aPhpVersionTheHostDoesNotMatchIs400() throws Exception {
        // A patch release of the host's major.minor that it does not run, and another minor release.
        String[] parts = PHP.split("\\.");
        for (String other : List.of(PHP + ".999", parts[0] + "." + (Integer.parseInt(parts[1]) + 10))) {
            HttpResponse<String> response = post("{\"php\":\"" + other + "\"}", null);
            assertEquals(400, response.statusCode(), response.body());
            assertTrue(parse(response).path("error").asText().startsWith("Cannot install with php " + other
                    + ": this server has php " + PHP + "."), response.body());
        }
        assertEquals(0, server.tmpEntries());
    }
}
