package io.polycache.deps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolchainStoreTest {
    @TempDir
    Path root;

    @Test
    void openingRemovesUnfinishedFetchesAndKeepsFinishedToolchains() throws Exception {
        Path partial = Files.createDirectories(root.resolve("toolchains/.partial-node-16.15.0-linux-x64-123/prefix"));
        Files.writeString(partial.resolve("half-a-binary"), "x");
        Path finished = Files.createDirectories(root.resolve("toolchains/node-16.15.0-linux-x64/bin"));
        ToolchainStore store = new ToolchainStore(root.resolve("toolchains"), root.resolve("pm-cache/npm"),
                Platform.of("Linux", "amd64"), new InstallEnvironment(Map.of("PATH", "/usr/bin:/bin")), Duration.ofMinutes(1));

        store.open();

        assertFalse(Files.exists(root.resolve("toolchains/.partial-node-16.15.0-linux-x64-123")));
        assertTrue(Files.isDirectory(finished));
        assertEquals(0, store.fetched());
    }
}
