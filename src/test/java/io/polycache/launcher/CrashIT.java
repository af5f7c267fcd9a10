package io.polycache.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.testing.PolykitArtifact;
import io.polycache.testing.TestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the standalone server under concurrent uploads, several times over, then torn
 * writes planted in the newest files: after every restart each acknowledged (201) upload reads
 * back byte for byte, every file on disk is a whole entry that was sent, {@code tmp/} is empty,
 * and the accounting matches the files. A torn file is never served.
 */
class CrashIT {
    private static final int ROUNDS = 3;
    private static final int UPLOADERS = 12;

    @TempDir
    Path dir;

    private final List<Process> launched = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    /** Every body sent, acknowledged or not, by key. */
    private final Map<String, byte[]> sent = new ConcurrentHashMap<>();
    /** Keys the server answered 201 for. */
    private final Map<String, Boolean> acknowledged = new ConcurrentHashMap<>();

    @AfterEach
    void stopLeftovers() throws InterruptedException {
        for (Process process : launched) {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void acknowledgedUploadsSurviveKillNineAndNothingPartialIsEverServed() throws Exception {
        Path cache = dir.resolve("cache");
        for (int round = 0; round < ROUNDS; round++) {
            Process server = launch();
            int port = awaitListening(server);
            if (round > 0) {
                checkEverything(port, cache, List.of());
            }
            uploadUntilKilled(server, port, round);
        }

        // A torn write, simulated as a power loss would leave it: the newest files (written after
        // the last checkpoint, as every upload was until the kill) cut short, emptied or with a
        // flipped byte, and the newest large one (sent with sendfile, unchecked, once checked after
        // the crash) with a flipped byte in its body; each keeps its modification time.
        List<Path> byAge;
        try (Stream<Path> files = Files.walk(cache.resolve("entries"))) {
            byAge = files.filter(Files::isRegularFile)
                    .sorted(Comparator.comparing(CrashIT::modified).reversed()).toList();
        }
        List<Path> newest = new ArrayList<>(byAge.subList(0, 3));
        Path newestLarge = byAge.stream().skip(3).filter(p -> p.toFile().length() > 70_000).findFirst().orElseThrow();
        newest.add(newestLarge);
        List<FileTime> times = new ArrayList<>();
        for (Path file : newest) {
            times.add(modified(file));
        }
        try (RandomAccessFile raf = new RandomAccessFile(newest.get(0).toFile(), "rw")) {
            raf.setLength(raf.length() / 2);
        }
        try (RandomAccessFile raf = new RandomAccessFile(newest.get(1).toFile(), "rw")) {
            raf.setLength(0);
        }
        for (Path file : List.of(newest.get(2), newestLarge)) {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.seek(raf.length() / 3);
                int b = raf.read();
                raf.seek(raf.length() / 3);
                raf.write(b ^ 0x10);
            }
        }
        for (int i = 0; i < newest.size(); i++) {
            Files.setLastModifiedTime(newest.get(i), times.get(i));
        }
        List<String> torn = newest.stream().map(p -> p.getFileName().toString()).toList();

        Process server = launch();
        int port = awaitListening(server);
        checkEverything(port, cache, torn);
        for (String key : torn) {
            assertEquals(201, put(port, key).statusCode(), "a torn entry is healed by the next upload");
            HttpResponse<byte[]> get = get(port, key);
            assertEquals(200, get.statusCode());
            assertArrayEquals(sent.get(key), get.body());
        }
        server.destroy();
        assertTrue(server.waitFor(60, TimeUnit.SECONDS));
    }

    /** Uploads from several threads until some are acknowledged, then kills the server mid-flight. */
    private void uploadUntilKilled(Process server, int port, int round) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger acked = new AtomicInteger();
        AtomicInteger ackedLarge = new AtomicInteger(); // the torn-write check needs a large one
        List<Thread> uploaders = new ArrayList<>();
        for (int t = 0; t < UPLOADERS; t++) {
            Random random = new Random(round * 1000L + t);
            Thread uploader = new Thread(() -> {
                while (!stop.get()) {
                    String key = PolykitArtifact.randomKey(64);
                    // Sizes on both sides of the one read whole (64 KiB), incompressible.
                    byte[] output = new byte[random.nextBoolean() ? 1 + random.nextInt(4096) : 70_000 + random.nextInt(60_000)];
                    random.nextBytes(output);
                    sent.put(key, new PolykitArtifact(key, Map.of("dist/out.bin", output)).bytes());
                    try {
                        if (put(port, key).statusCode() == 201) {
                            acknowledged.put(key, true);
                            acked.incrementAndGet();
                            if (output.length > 65_536) {
                                ackedLarge.incrementAndGet();
                            }
                        }
                    } catch (IOException e) {
                        // the server was killed under this upload
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            uploader.start();
            uploaders.add(uploader);
        }
        // Small uploads finish first: on a busy machine 15 acknowledgements can all be small ones,
        // so the kill also waits for large ones (the torn-write check below needs one).
        long deadline = System.nanoTime() + 120_000_000_000L;
        while ((acked.get() < 15 || ackedLarge.get() < 2) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(acked.get() >= 15 && ackedLarge.get() >= 2,
                "uploads, large ones included, were acknowledged before the kill: " + acked + " (" + ackedLarge + " large)");
        server.destroyForcibly(); // SIGKILL: no shutdown hook, no snapshot, writes cut wherever they are
        assertTrue(server.waitFor(30, TimeUnit.SECONDS));
        stop.set(true);
        for (Thread uploader : uploaders) {
            uploader.join(30_000);
        }
        System.out.println("CrashIT round " + round + ": killed with " + acked.get() + " acknowledged this round ("
                + ackedLarge.get() + " large), " + acknowledged.size() + " in all, " + sent.size() + " sent");
    }

    /** Everything the crash must not break, checked on a freshly restarted server. */
    private void checkEverything(int port, Path cache, List<String> torn) throws Exception {
        try (Stream<Path> tmp = Files.list(cache.resolve("tmp"))) {
            assertEquals(0, tmp.count(), "tmp/ is emptied at start-up");
        }
        int checked = 0;
        for (String key : acknowledged.keySet()) {
            if (torn.contains(key)) {
                assertEquals(404, head(port, key).statusCode(), "HEAD of a torn entry is a miss");
                assertEquals(404, get(port, key).statusCode(), "a torn entry is a miss, never served");
                continue;
            }
            HttpResponse<byte[]> get = get(port, key);
            assertEquals(200, get.statusCode(), "acknowledged " + key);
            assertArrayEquals(sent.get(key), get.body(), "acknowledged " + key + " reads back as sent");
            checked++;
        }
        assertTrue(checked >= 15, "acknowledged entries checked: " + checked);
        System.out.println("CrashIT: " + checked + " acknowledged entries read back byte for byte, torn: " + torn);
        // Files committed but not acknowledged (the kill came before the answer) must be whole, too.
        List<Path> onDisk;
        try (Stream<Path> files = Files.walk(cache.resolve("entries"))) {
            onDisk = files.filter(Files::isRegularFile).toList();
        }
        for (Path file : onDisk) {
            String key = file.getFileName().toString();
            byte[] body = sent.get(key);
            assertNotNull(body, "a file on disk that was never sent: " + file);
            HttpResponse<byte[]> get = get(port, key);
            if (get.statusCode() != 404 || !torn.contains(key)) {
                assertEquals(200, get.statusCode(), key);
                assertArrayEquals(body, get.body(), key);
            }
        }
        // The accounting (scanned again after the crash, in the background) matches the files.
        long deadline = System.nanoTime() + 60_000_000_000L;
        long onDiskBytes;
        long used;
        do {
            Thread.sleep(100);
            onDiskBytes = diskBytes(cache);
            used = usedBytes(port);
        } while (used != onDiskBytes && System.nanoTime() < deadline);
        assertEquals(onDiskBytes, used, "used_bytes matches the entry files on disk");
    }

    private static long diskBytes(Path cache) throws IOException {
        try (Stream<Path> files = Files.walk(cache.resolve("entries"))) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private long usedBytes(int port) throws Exception {
        String stats = http.send(HttpRequest.newBuilder(uri(port, "/v1/stats")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("\"used_bytes\":(\\d+)").matcher(stats);
        assertTrue(m.find(), stats);
        return Long.parseLong(m.group(1));
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private HttpResponse<String> put(int port, String key) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(port, "/v1/artifacts/" + key)).timeout(Duration.ofSeconds(30))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(sent.get(key))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<Void> head(int port, String key) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(port, "/v1/artifacts/" + key)).timeout(Duration.ofSeconds(30))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    }

    private HttpResponse<byte[]> get(int port, String key) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(port, "/v1/artifacts/" + key)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private Process launch() throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", TestServer.war().toAbsolutePath().toString(), "--port", "0", "--public");
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        launched.add(process);
        return process;
    }

    private static int awaitListening(Process process) throws IOException {
        BufferedReader log = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Pattern listening = Pattern.compile("Polycache listening on http://127\\.0\\.0\\.1:(\\d+)/");
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = log.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher m = listening.matcher(line);
            if (m.find()) {
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
