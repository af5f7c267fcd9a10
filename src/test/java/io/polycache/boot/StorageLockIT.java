package io.polycache.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.polycache.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One webapp per storage directory, also within one Tomcat; a refused start leaves the lock free. */
class StorageLockIT {
    @TempDir
    Path storage;

    @Test
    void aSecondWebappOnTheSameDirectoryInOneJvmDoesNotStartAndTheFirstServesOn() throws Exception {
        try (TestServer first = TestServer.start(storage)) {
            assertThrows(IllegalStateException.class, () -> TestServer.start(storage).close());
            assertEquals(200, first.get("/health").statusCode());
            // The first webapp still holds the OS lock (the refused one closed no descriptor of
            // the file): another process cannot take it.
            assertEquals("held", lockProbe(storage.resolve(StorageLock.FILE)));
        }
        assertEquals("free", lockProbe(storage.resolve(StorageLock.FILE)));
        try (TestServer again = TestServer.start(storage)) { // released at the first one's stop
            assertEquals(200, again.get("/health").statusCode());
        }
    }

    /** Whether another process can take the lock, asked of a separate JVM. */
    private String lockProbe(Path file) throws Exception {
        Path source = Files.writeString(storage.getParent().resolve(storage.getFileName() + "-Probe.java"), String.join("\n",
                "import java.nio.channels.FileChannel;",
                "import java.nio.file.*;",
                "public class Probe { public static void main(String[] a) throws Exception {",
                "  try (FileChannel c = FileChannel.open(Path.of(a[0]), StandardOpenOption.WRITE)) {",
                "    System.out.print(c.tryLock() == null ? \"held\" : \"free\"); } } }"));
        Process probe = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                source.toString(), file.toString()).redirectErrorStream(true).start();
        String answer = new String(probe.getInputStream().readAllBytes()).strip();
        assertEquals(0, probe.waitFor(), answer);
        return answer;
    }

    @Test
    void aWebappThatRefusesToStartReleasesTheLock() throws Exception {
        Path badKeys = Files.writeString(storage.getParent().resolve(storage.getFileName() + "-keys"), "a b c\n");
        assertThrows(IllegalStateException.class,
                () -> TestServer.start(storage, Map.of("polycache.apiKeysFile", badKeys.toString())).close());
        try (TestServer server = TestServer.start(storage)) {
            assertEquals(200, server.get("/health").statusCode());
        }
    }
}
