package io.polycache.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.polycache.testing.PolykitArtifact;
import io.polycache.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full filesystem (a small tmpfs, so it really runs out) is answered 507, leaves nothing
 * behind, keeps reads going, shows in /health, and writes resume by themselves once space is
 * freed. Needs root to mount; CI runs as root, elsewhere the test is skipped with a message.
 */
class DiskFullIT {
    private static final long TMPFS = 24L * 1024 * 1024;

    @TempDir
    Path dir;

    private Path storage;
    private boolean mounted;

    @BeforeEach
    void mountTmpfs() throws Exception {
        storage = dir.resolve("storage");
        Files.createDirectories(storage);
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + TMPFS, "tmpfs", storage.toString())
                .redirectErrorStream(true).start();
        String output = new String(mount.getInputStream().readAllBytes());
        mounted = mount.waitFor() == 0;
        if (!mounted) {
            if (System.getenv("CI") != null) {
                fail("could not mount a tmpfs for the disk-full test (CI runs as root): " + output);
            }
            Assumptions.abort("mounting a tmpfs needs root: " + output.strip());
        }
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            new ProcessBuilder("umount", "-l", storage.toString()).start().waitFor();
        }
    }

    private static byte[] artifact(String key, int outputBytes) {
        byte[] content = new byte[outputBytes];
        new Random(key.hashCode()).nextBytes(content); // incompressible
        return new PolykitArtifact(key, Map.of("blob.bin", content)).bytes();
    }

    @Test
    void aFullDiskIs507ReadsGoOnAndWritesResumeOnceSpaceIsFreed() throws Exception {
        // No size bound (the default is a quarter of the filesystem): the disk itself runs out.
        try (TestServer server = TestServer.start(storage, Map.of("polycache.maxCacheSize", "unlimited"))) {
            String kept = PolykitArtifact.randomKey(64);
            byte[] keptBody = artifact(kept, 4 * 1024 * 1024);
            assertEquals(201, server.put("/v1/artifacts/" + kept, keptBody).statusCode());
            Path filler = storage.resolve("filler");
            Files.write(filler, new byte[12 * 1024 * 1024]); // someone else fills the disk

            String big = PolykitArtifact.randomKey(64);
            HttpResponse<String> put = server.put("/v1/artifacts/" + big, artifact(big, 10 * 1024 * 1024));

            assertEquals(507, put.statusCode(), put.body());
            assertTrue(put.body().contains("filesystem is full"), put.body());
            assertEquals(0, server.tmpEntries(), "nothing partial left");
            assertEquals(404, server.get("/v1/artifacts/" + big).statusCode());
            assertEquals(200, server.get("/v1/artifacts/" + kept).statusCode(), "reads go on");
            HttpResponse<String> health = server.get("/health");
            assertEquals(200, health.statusCode());
            assertTrue(health.body().contains("\"degraded\"") && health.body().contains("is full"), health.body());

            Files.delete(filler);
            assertEquals(201, server.put("/v1/artifacts/" + big, artifact(big, 10 * 1024 * 1024)).statusCode(),
                    "writes resume without a restart");
            assertTrue(server.get("/health").body().contains("\"healthy\""));
        }
    }

    @Test
    void withASizeBoundBelowTheDiskTheCacheEvictsInsteadOfRunningOut() throws IOException, Exception {
        try (TestServer server = TestServer.start(storage, Map.of("polycache.maxCacheSize", "16m"))) {
            for (int i = 0; i < 8; i++) {
                String key = PolykitArtifact.randomKey(64);
                HttpResponse<String> put = server.put("/v1/artifacts/" + key, artifact(key, 3 * 1024 * 1024));
                assertEquals(201, put.statusCode(), "upload " + i + ": " + put.body());
            }
            assertTrue(server.get("/health").body().contains("\"healthy\""));
        }
    }
}
