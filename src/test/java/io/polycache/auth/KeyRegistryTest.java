package io.polycache.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyRegistryTest {
    @TempDir
    Path dir;

    @Test
    void fixedKeysAndFileKeysBothCount() throws Exception {
        Path file = Files.writeString(dir.resolve("keys"), "from-file ro\n");
        KeyRegistry registry = KeyRegistry.load(file, List.of("from-list"));
        assertEquals(Optional.of(Scope.READ_WRITE), registry.keys().scopeOf("from-list"));
        assertEquals(Optional.of(Scope.READ_ONLY), registry.keys().scopeOf("from-file"));
        assertEquals("2 keys, of which 1 read-only", registry.describe());
    }

    @Test
    void aMissingFileRefusesStartUp() {
        KeyFileException e = assertThrows(KeyFileException.class,
                () -> KeyRegistry.load(dir.resolve("absent"), List.of()));
        assertTrue(e.getMessage().contains("does not exist or is not readable"), e.getMessage());
    }

    @Test
    void aMalformedListEntryRefusesStartUp() {
        KeyFileException e = assertThrows(KeyFileException.class, () -> KeyRegistry.load(null, List.of("a b c")));
        assertTrue(e.getMessage().startsWith("polycache.apiKeys entry 1:"), e.getMessage());
    }

    @Test
    void changesToTheFileTakeEffectAfterTheCheckInterval() throws Exception {
        Path file = Files.writeString(dir.resolve("keys"), "old\n");
        KeyRegistry registry = KeyRegistry.load(file, List.of());
        Files.writeString(file, "new\n# old was revoked\n");

        Thread.sleep(KeyRegistry.CHECK_INTERVAL_NANOS / 1_000_000 + 100);

        assertEquals(Optional.of(Scope.READ_WRITE), registry.keys().scopeOf("new"));
        assertEquals(Optional.empty(), registry.keys().scopeOf("old"));
    }

    @Test
    void aFileThatTurnsMalformedKeepsThePreviousKeys() throws Exception {
        Path file = Files.writeString(dir.resolve("keys"), "good\n");
        KeyRegistry registry = KeyRegistry.load(file, List.of());
        Files.writeString(file, "good\nbad scope-x\n");

        Thread.sleep(KeyRegistry.CHECK_INTERVAL_NANOS / 1_000_000 + 100);

        assertEquals(Optional.of(Scope.READ_WRITE), registry.keys().scopeOf("good"));
    }

    @Test
    void aTeamListInTheCommaSeparatedKeyListRefusesStartUp() {
        // "k1 rw teams=web,mobile" would otherwise be cut into the keys "k1 rw teams=web" and "mobile".
        KeyFileException e = assertThrows(KeyFileException.class,
                () -> KeyRegistry.load(null, java.util.List.of("k1 rw teams=web", "mobile")));
        assertEquals("polycache.apiKeys entry 1: team lists (teams=) go in polycache.apiKeysFile, not in the"
                + " comma-separated polycache.apiKeys", e.getMessage());
    }
}
