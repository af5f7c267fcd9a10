package io.polycache.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.config.Version;
import io.polycache.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.Files;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthIT {
    @TempDir
    Path storage;

    @Test
    void healthIs503WhenStorageIsNotWritable() throws Exception {
        try (TestServer server = TestServer.start(storage)) {
            Path tmp = storage.resolve("tmp");
            FileStoreHelper.replaceWithFile(tmp);
            HttpResponse<String> health = server.get("/health");
            assertEquals(503, health.statusCode());
            assertTrue(health.body().startsWith("{\"status\":\"unhealthy\",\"version\":\"" + Version.current()
                    + "\",\"reason\":\"storage directory "), health.body());
            FileStoreHelper.restoreDirectory(tmp);
            assertEquals(200, server.get("/health").statusCode());
        }
    }

    @Test
    void healthTellsTheVersionOfTheBuild() throws Exception {
        try (TestServer server = TestServer.start(storage)) {
            HttpResponse<String> health = server.get("/health");
            assertEquals(200, health.statusCode());
            assertEquals("{\"status\":\"healthy\",\"version\":\"" + Version.current() + "\"}", health.body());
            assertTrue(Version.current().matches("\\d+\\.\\d+\\.\\d+.*"), Version.current());
        }
    }

    /** Root ignores permission bits, so unwritable storage is simulated by a file where tmp/ should be. */
    static final class FileStoreHelper {
        static void replaceWithFile(Path dir) throws Exception {
            Files.delete(dir);
            Files.writeString(dir, "not a directory");
        }

        static void restoreDirectory(Path dir) throws Exception {
            Files.delete(dir);
            Files.createDirectory(dir);
        }
    }
}
