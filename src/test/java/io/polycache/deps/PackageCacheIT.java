package io.polycache.deps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.testing.DepsClient;
import io.polycache.testing.HostToolchain;
import io.polycache.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The package managers' download caches stay under polycache.packageCache.maxSize across restarts. */
class PackageCacheIT {
    @TempDir
    Path storage;

    @Test
    void downloadCachesOverTheirBoundAreEmptiedAtStartUpAndKeptUnderIt() throws Exception {
        Path npm = Files.createDirectories(storage.resolve("pm-cache/npm/_cacache"));
        Path composer = Files.createDirectories(storage.resolve("pm-cache/composer/files"));
        Files.write(npm.resolve("a"), new byte[600 * 1024]);
        Files.write(composer.resolve("b"), new byte[300 * 1024]);

        try (TestServer server = TestServer.start(storage, Map.of("polycache.packageCache.maxSize", "1m"))) {
            assertEquals(200, server.get("/health").statusCode());
        }
        assertTrue(Files.exists(npm.resolve("a")), "900 KiB is under 1 MiB: kept");
        assertTrue(Files.exists(composer.resolve("b")));

        Files.write(npm.resolve("c"), new byte[200 * 1024]);
        try (TestServer server = TestServer.start(storage, Map.of("polycache.packageCache.maxSize", "1m"))) {
            assertEquals(200, server.get("/health").statusCode());
        }
        assertFalse(Files.exists(npm.resolve("a")), "1.1 MiB is over 1 MiB: emptied");
        assertFalse(Files.exists(composer.resolve("b")));
        assertFalse(Files.exists(npm.resolve("c")));
    }

    @Test
    void npmKeepsNoLogFilesInTheCache() throws Exception {
        try (TestServer server = TestServer.start(storage)) {
            DepsClient client = new DepsClient(server);
            var answer = client.postJson(DepsClient.jsonBody("npm", HostToolchain.npmVersions(),
                    Map.of("package.json", "{\"name\":\"empty\",\"version\":\"1.0.0\"}".getBytes()), null));
            assertEquals(200, answer.statusCode(), answer.body());
        }
        Path logs = storage.resolve("pm-cache/npm/_logs");
        if (Files.exists(logs)) {
            try (var files = Files.list(logs)) {
                assertEquals(java.util.List.of(), files.toList());
            }
        }
        assertTrue(Files.isDirectory(storage.resolve("pm-cache/npm")), "the install used the cache directory");
    }
}
