package io.polycache.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Credentials never reach the log or the metrics, at any log level, whatever scheme carries them. */
class LogHygieneIT {
    private static final String KEY = "k3y-that-must-never-be-logged-7f3a";
    private static final String WRONG = "wr0ng-k3y-also-never-logged-91c2";

    @TempDir
    Path dir;

    @Test
    void atTraceLevelNeitherKeysNorBasicCredentialsAreLogged() throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                TestServer.war().toAbsolutePath().toString(), "--port", "0", "--storage-dir", dir.resolve("cache").toString(),
                "--log-level", "trace", "--polycache.apiKeys=" + KEY);
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try {
                process.getInputStream().transferTo(log);
            } catch (java.io.IOException ignored) {
                // process ended
            }
        });
        reader.start();
        try {
            int port = awaitPort(log);
            HttpClient client = HttpClient.newHttpClient();
            String basic = Base64.getEncoder().encodeToString(("gradle:" + KEY).getBytes(StandardCharsets.UTF_8));
            String wrongBasic = Base64.getEncoder().encodeToString(("gradle:" + WRONG).getBytes(StandardCharsets.UTF_8));
            String metrics = null;
            for (String authorization : List.of("Bearer " + KEY, "Basic " + basic, "Bearer " + WRONG, "Basic " + wrongBasic)) {
                for (String path : List.of("/v1/artifacts/" + "ab".repeat(32), "/metrics", "/v1/stats")) {
                    HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                            .header("Authorization", authorization).build(), HttpResponse.BodyHandlers.ofString());
                    if (path.equals("/metrics") && answer.statusCode() == 200) {
                        metrics = answer.body();
                    }
                }
            }
            assertTrue(metrics != null && metrics.contains("polycache_requests_total"));
            for (String secret : List.of(KEY, WRONG, basic, wrongBasic)) {
                assertFalse(metrics.contains(secret), "metrics hold a credential");
            }
        } finally {
            process.destroy();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS));
            reader.join(10_000);
        }
        String output = log.toString(StandardCharsets.UTF_8);
        assertTrue(output.contains("FINE") || output.contains("FINEST") || output.lines().count() > 50,
                "the log is at trace level:\n" + output.substring(0, Math.min(2000, output.length())));
        for (String secret : List.of(KEY, WRONG, Base64.getEncoder().encodeToString(("gradle:" + KEY).getBytes()),
                Base64.getEncoder().encodeToString(("gradle:" + WRONG).getBytes()))) {
            int at = output.indexOf(secret);
            assertEquals(-1, at, () -> "a credential is in the log: ..."
                    + output.substring(Math.max(0, at - 300), Math.min(output.length(), at + 100)));
        }
        // The AWS SDK logs through SLF4J: without a binding its warnings are dropped and SLF4J
        // prints its own complaint at start instead.
        assertFalse(output.contains("SLF4J:"), () -> "SLF4J has no binding:\n" + output.lines()
                .filter(line -> line.contains("SLF4J")).collect(java.util.stream.Collectors.joining("\n")));
    }

    private static int awaitPort(ByteArrayOutputStream log) throws InterruptedException {
        Pattern listening = Pattern.compile("Polycache listening on http://127\\.0\\.0\\.1:(\\d+)/");
        for (int i = 0; i < 600; i++) {
            Matcher m = listening.matcher(log.toString(StandardCharsets.UTF_8));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no start-up line in:\n" + log.toString(StandardCharsets.UTF_8));
    }
}
