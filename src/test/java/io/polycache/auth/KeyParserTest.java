package io.polycache.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KeyParserTest {
    private static final String KEY = "ci-writer-key";
    private static final String KEY_SHA256 = HexFormat.of().formatHex(ApiKeys.sha256(KEY));

    private static ApiKeys parse(String... lines) throws KeyFileException {
        return new ApiKeys(KeyParser.parseLines(List.of(lines), "keys.txt"));
    }

    @Test
    void plainAndHashedKeysWithScopesCommentsAndBlankLines() throws KeyFileException {
        ApiKeys keys = parse(
                "# CI writes, laptops read",
                "",
                KEY,
                "sha256:" + KEY_SHA256.toUpperCase() + " rw   # same key, hashed",
                "laptop-key ro",
                "   ");
        assertEquals(3, keys.size());
        assertEquals(1, keys.readOnlyCount());
        assertEquals(Optional.of(Scope.READ_WRITE), keys.scopeOf(KEY));
        assertEquals(Optional.of(Scope.READ_ONLY), keys.scopeOf("laptop-key"));
        assertEquals(Optional.empty(), keys.scopeOf("other"));
        assertEquals(Optional.empty(), keys.scopeOf("sha256:" + KEY_SHA256));
    }

    @Test
    void aHashedEntryMatchesItsKeyNotItsDigest() throws KeyFileException {
        ApiKeys keys = parse("sha256:" + KEY_SHA256 + " ro");
        assertEquals(Optional.of(Scope.READ_ONLY), keys.scopeOf(KEY));
        assertEquals(Optional.empty(), keys.scopeOf(KEY_SHA256));
    }

    @Test
    void anUnknownScopeIsReportedWithItsLineNumber() {
        KeyFileException e = assertThrows(KeyFileException.class, () -> parse("# header", "key1", "key2 admin"));
        assertEquals("keys.txt line 3: unknown scope 'admin' (expected rw or ro)", e.getMessage());
    }

    @Test
    void tooManyWordsAreReportedWithTheLineNumber() {
        KeyFileException e = assertThrows(KeyFileException.class, () -> parse("key1 rw extra"));
        assertTrue(e.getMessage().startsWith("keys.txt line 1: expected a key and an optional scope"), e.getMessage());
    }

    @Test
    void aShortDigestIsReported() {
        KeyFileException e = assertThrows(KeyFileException.class, () -> parse("", "sha256:abcd"));
        assertEquals("keys.txt line 2: a sha256: entry needs 64 hexadecimal characters", e.getMessage());
    }

    @Test
    void errorMessagesHoldNoKeyMaterial() {
        KeyFileException e = assertThrows(KeyFileException.class, () -> parse("topsecret nope"));
        assertTrue(!e.getMessage().contains("topsecret"), e.getMessage());
    }

    @Test
    void everyEntryIsComparedEvenAfterAMatch() throws KeyFileException {
        // The first match decides; later duplicates with another scope do not change it.
        ApiKeys keys = parse("dup ro", "dup rw");
        assertEquals(Optional.of(Scope.READ_ONLY), keys.scopeOf("dup"));
    }
}
