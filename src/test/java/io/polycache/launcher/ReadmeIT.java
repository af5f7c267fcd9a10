package io.polycache.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polycache.testing.TestServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quick start and trial, taken from README.md and run as a user pastes them, so
 * that the first hour cannot rot. The blocks are the fenced {@code sh} blocks right after
 * {@code <!-- readme-test: quick-start -->} and {@code <!-- readme-test: trial -->}.
 *
 * <p>Two departures from pasting, both forced by a shared test machine: the quick start's
 * {@code mvn} line is the build that produced the WAR under test, so it is checked, not rerun;
 * and the server gets a free port (appended {@code --port N}, and {@code 127.0.0.1:8080} read as
 * {@code 127.0.0.1:N} in the trial) instead of 8080, which another process may hold.
 */
class ReadmeIT {
    private static final Path README = Path.of("README.md");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process server;

    @AfterEach
    void stopServer() throws InterruptedException {
        if (server != null && server.isAlive()) {
            server.destroy();
            if (!server.waitFor(60, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    static String block(String name) throws IOException {
        return block(README, name);
    }

    static String block(Path file, String name) throws IOException {
        String readme = Files.readString(file, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("<!-- readme-test: " + Pattern.quote(name) + " -->\\n```sh\\n(.*?)\\n```\\n",
                Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(), file + " has no sh block marked readme-test: " + name);
        return m.group(1);
    }

    @Test
    void theQuickStartServesAndTheTrialRunsAsPasted() throws Exception {
        // The quick start: build (done: it made the WAR under test), then run.
        List<String> commands = new ArrayList<>();
        for (String line : block("quick-start").split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                commands.add(line.strip());
            }
        }
        assertEquals(List.of("mvn -B -q -DskipTests package", "java -jar target/polycache.war"), commands);
        Files.createDirectories(dir.resolve("target"));
        Files.createSymbolicLink(dir.resolve("target/polycache.war"), TestServer.war().toAbsolutePath());
        int port = freePort();
        server = new ProcessBuilder("bash", "-c", "exec " + commands.get(1) + " --port " + port)
                .directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile()).start();
        awaitHealthy(port);

        // The trial, twice: it must work again in the same directory, and the second
        // dependency request is a hit.
        String trial = block("trial").replace("127.0.0.1:8080", "127.0.0.1:" + port);
        assertTrue(trial.contains("127.0.0.1:" + port), "the trial talks to the server just started");
        String first = runTrial(trial);
        assertTrue(first.contains("\nartifact stored and read back\n"), first);
        assertTrue(first.contains("\"cache_hit\":false"), first);
        assertTrue(first.endsWith("\n1.2.3\n"), first);

        String second = runTrial(trial);
        assertTrue(second.contains("\nartifact stored and read back\n"), second);
        assertTrue(second.contains("\"cache_hit\":true"), second);
        assertTrue(second.endsWith("\n1.2.3\n"), second);

        JsonNode stats = JSON.readTree(get(port, "/v1/stats").body());
        assertEquals(2, stats.path("artifacts").path("count").asLong(), stats.toString());
        assertEquals(1, stats.path("bundles").path("count").asLong(), stats.toString());
        assertEquals(1, stats.path("installs_since_start").path("run").asLong(), stats.toString());
        assertTrue(Files.isDirectory(dir.resolve("cache/entries/polykit")), "the quick start's storage is ./cache");
    }

    /** tomcat-conf/README.md's key-line recipe, typed as written, adds a line the server accepts. */
    @Test
    void theKeyLineRecipeOfTheTomcatGuideWritesAValidLine() throws Exception {
        Path keys = dir.resolve("api-keys");
        Files.writeString(keys, "# keys\n");
        String recipe = block(Path.of("tomcat-conf", "README.md"), "key-line");
        assertTrue(recipe.contains(">> /etc/polycache/api-keys"), recipe);
        Process bash = new ProcessBuilder("bash", "-e", "-o", "pipefail", "-c",
                recipe.replace("/etc/polycache/api-keys", keys.toString())).redirectErrorStream(true).start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(bash.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, bash.exitValue(), output);
        Matcher key = Pattern.compile("give CI this key: (\\S+)\n").matcher(output);
        assertTrue(key.find(), output);
        List<String> lines = Files.readAllLines(keys);
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(1).matches("sha256:[0-9a-f]{64} rw"), lines.get(1));
        io.polycache.auth.KeyRegistry registry = io.polycache.auth.KeyRegistry.load(keys, List.of());
        assertEquals(java.util.Optional.of(io.polycache.auth.Scope.READ_WRITE), registry.keys().scopeOf(key.group(1)));
    }

    private String runTrial(String trial) throws Exception {
        Process bash = new ProcessBuilder("bash", "-e", "-o", "pipefail", "-c", trial)
                .directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))) // a prompt fails, never waits
                .start();
        byte[] output = bash.getInputStream().readAllBytes();
        assertTrue(bash.waitFor(10, TimeUnit.MINUTES), "the trial did not finish");
        String text = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, bash.exitValue(), "the trial failed:\n" + text + "\nserver log:\n"
                + Files.readString(dir.resolve("server.log")));
        return text;
    }

    private void awaitHealthy(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            assertTrue(server.isAlive(), () -> "the server exited:\n" + log());
            try {
                if (get(port, "/health").statusCode() == 200) {
                    return;
                }
            } catch (ConnectException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the server did not become healthy:\n" + log());
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("server.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
