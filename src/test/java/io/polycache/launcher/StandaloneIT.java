package io.polycache.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.testing.PolykitArtifact;
import io.polycache.testing.TestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar polycache.war} as a user runs it: a separate process. */
class StandaloneIT {
    @TempDir
    Path dir;

    private final List<Process> launched = new ArrayList<>();

    /** A failed assertion must not leave a server running. */
    @AfterEach
    void stopLeftovers() throws InterruptedException {
        for (Process process : launched) {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private Process launch(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", TestServer.war().toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        launched.add(process);
        return process;
    }

    private static String finish(Process process) throws Exception {
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "launcher did not exit");
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void helpPrintsUsageAndExitsZero() throws Exception {
        Process process = launch("--help");
        String output = finish(process);
        assertEquals(0, process.exitValue());
        assertTrue(output.startsWith("Usage: java -jar polycache.war"), output);
    }

    @Test
    void versionPrintsTheBuildsVersionAndExitsZero() throws Exception {
        Process process = launch("--version");
        String output = finish(process);
        assertEquals(0, process.exitValue());
        assertEquals("polycache " + io.polycache.config.Version.current(), output.strip());
    }

    @Test
    void aPortInUseExits2WithOneLine() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Process process = launch("--port", String.valueOf(taken.getLocalPort()));
            String output = finish(process);
            assertEquals(2, process.exitValue());
            assertEquals("polycache: 127.0.0.1:" + taken.getLocalPort() + " is in use; pick another with --port",
                    output.strip());
        }
        assertTrue(Files.notExists(dir.resolve("cache")), "nothing was started, so nothing was created");
    }

    @Test
    void aSecondServerOnOneStorageDirectoryRefusesNamingTheFirst() throws Exception {
        Process first = launch("--port", "0");
        BufferedReader log = new BufferedReader(new InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8));
        awaitListening(log, dir.toRealPath().resolve("cache").toString());

        Process second = launch("--port", "0");
        String output = finish(second);
        assertEquals(1, second.exitValue());
        Path cache = dir.toRealPath().resolve("cache");
        String holder = Files.readString(cache.resolve("polycache.lock")).strip();
        assertTrue(holder.matches("pid " + first.pid() + " on .+, Apache Tomcat/[0-9.]+ context '', since \\S+Z"), holder);
        assertEquals("polycache: storage directory " + cache + " is in use by another Polycache (" + holder
                + "); stop it, or give this one another storage directory (--storage-dir, polycache.storageDir)",
                output.strip());
        assertTrue(first.isAlive());

        first.destroy();
        assertTrue(first.waitFor(60, TimeUnit.SECONDS));
        Process third = launch("--port", "0"); // the lock went with the first process
        BufferedReader thirdLog = new BufferedReader(new InputStreamReader(third.getInputStream(), StandardCharsets.UTF_8));
        awaitListening(thirdLog, cache.toString());
        third.destroy();
        assertTrue(third.waitFor(60, TimeUnit.SECONDS));
    }

    @Test
    void aWebappRefusalIsOneLine() throws Exception {
        Path keys = Files.writeString(dir.resolve("keys.txt"), "one two three\n");
        Process process = launch("--port", "0", "--api-keys-file", keys.toString());
        String output = finish(process);
        assertEquals(1, process.exitValue());
        assertEquals("polycache: API key file " + keys.toRealPath() + " line 1: unknown word 'two' (expected a scope, "
                + "rw or ro, and an optional teams=a,b)", output.strip());
    }

    @Test
    void theStartUpLogStatesTheVersionAndTheDefaultBoundOnTheCache() throws Exception {
        Process process = launch("--port", "0");
        BufferedReader log = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        long total = Files.getFileStore(dir).getTotalSpace();
        String line;
        String started = null;
        while ((line = log.readLine()) != null) {
            if (line.contains("Polycache " + io.polycache.config.Version.current() + " started:")) {
                started = line;
                break;
            }
        }
        process.destroy();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertTrue(started != null && started.endsWith("cache size bounded at " + (total / 100 * 25)
                + " bytes (25% of the filesystem holding the storage; set polycache.maxCacheSize, or --max-cache-size "
                + "standalone, to change it)"), String.valueOf(started));
    }

    @Test
    void anUnknownFlagExits2WithOneLineNamingIt() throws Exception {
        Process process = launch("--frobnicate");
        String output = finish(process);
        assertEquals(2, process.exitValue());
        assertEquals("polycache: unknown option --frobnicate (see --help)", output.strip());
    }

    @Test
    void aBadParameterValueExits2WithOneLineNamingIt() throws Exception {
        Process process = launch("--max-size", "lots");
        String output = finish(process);
        assertEquals(2, process.exitValue());
        assertEquals("polycache: Invalid value for polycache.maxArtifactSize: 'lots' "
                + "(expected a positive size in bytes, or with a k, m or g suffix) (see --help)", output.strip());
    }

    @Test
    void anUnknownContextParameterExits2() throws Exception {
        Process process = launch("--polycache.nonsense=1");
        String output = finish(process);
        assertEquals(2, process.exitValue());
        assertEquals("polycache: Unknown parameter polycache.nonsense (see --help)", output.strip());
    }

    @Test
    void servesWithTheDefaultStorageAndStopsGracefullyOnSigterm() throws Exception {
        Process process = launch("--port", "0");
        BufferedReader log = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        int port = awaitListening(log, dir.toRealPath().resolve("cache").toString());

        // An upload in flight when SIGTERM arrives still completes.
        String key = PolykitArtifact.randomKey(64);
        byte[] body = new PolykitArtifact(key).bytes();
        HttpURLConnection put = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/v1/artifacts/" + key)
                .toURL().openConnection();
        put.setRequestMethod("PUT");
        put.setDoOutput(true);
        put.setChunkedStreamingMode(16);
        OutputStream out = put.getOutputStream();
        out.write(body, 0, body.length / 2);
        out.flush();
        awaitUploadInFlight(dir.resolve("cache").resolve("tmp")); // not a fixed sleep: the machine may be loaded

        process.destroy(); // SIGTERM
        Thread.sleep(500);
        out.write(body, body.length / 2, body.length - body.length / 2);
        out.close();
        assertEquals(201, put.getResponseCode());

        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "server did not stop");
        Path cache = dir.resolve("cache");
        assertTrue(Files.exists(io.polycache.testing.TestServer.polykitEntry(cache, key)));
        try (var tmp = Files.list(cache.resolve("tmp"))) {
            assertEquals(0, tmp.count());
        }
    }

    @Test
    void aNonLoopbackBindWithoutAccessControlExits2() throws Exception {
        Process process = launch("--bind", "0.0.0.0", "--port", "0");
        String output = finish(process);
        assertEquals(2, process.exitValue());
        assertEquals("polycache: refusing to listen on 0.0.0.0 without access control: give --api-keys-file FILE, "
                + "or --public to let anyone read and write (see --help)", output.strip());
    }

    @Test
    void theStartUpLineStatesTheKeysInForce() throws Exception {
        Path keys = Files.writeString(dir.resolve("keys.txt"), "one\ntwo ro\n");
        Process process = launch("--port", "0", "--api-keys-file", keys.toString(), "--anonymous-read");
        try {
            BufferedReader log = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            awaitListening(log, dir.toRealPath().resolve("cache").toString(),
                    "2 keys, of which 1 read-only, anonymous reads");
        } finally {
            process.destroy();
            process.waitFor(60, TimeUnit.SECONDS);
        }
    }

    /** Until the server has its temp file for the upload open, i.e. the request is being served. */
    private static void awaitUploadInFlight(Path tmp) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!io.polycache.testing.TempFiles.under(tmp).isEmpty()) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the upload never reached the server's tmp/");
    }

    private static int awaitListening(BufferedReader log, String storage) throws IOException {
        return awaitListening(log, storage, "public");
    }

    private static int awaitListening(BufferedReader log, String storage, String auth) throws IOException {
        Pattern listening = Pattern.compile("Polycache listening on http://127\\.0\\.0\\.1:(\\d+)/ with storage (.+), auth: (.+)$");
        String line;
        StringBuilder seen = new StringBuilder();
        while ((line = log.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher m = listening.matcher(line);
            if (m.find()) {
                assertEquals(storage, m.group(2));
                assertEquals(auth, m.group(3));
                Thread drain = new Thread(() -> {
                    try {
                        log.transferTo(java.io.Writer.nullWriter());
                    } catch (IOException ignored) {
                        // process ended
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("no start-up line in:\n" + seen);
    }
}
