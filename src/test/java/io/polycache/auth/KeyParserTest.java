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
        assertEquals("keys.txt line 3: unknown word 'admin' (expected a scope, rw or ro, and an optional teams=a,b)",
                e.getMessage());
    }

    @Test
    void tooManyWordsAreReportedWithTheLineNumber() {
        KeyFileException e = assertThrows(KeyFileException.class, () -> parse("key1 rw extra"));
        assertEquals("keys.txt line 1: unknown word 'extra' (expected a scope, rw or ro, and an optional teams=a,b)",
                e.getMessage());
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

    @Test
    void aTeamListLimitsTheTurborepoTeamsAKeyReaches() throws KeyFileException {
        ApiKeys keys = parse("web-key rw teams=web,mobile", "reader teams=docs ro", "any-team ro");
        ApiKeys.Entry web = keys.find("web-key").orElseThrow();
        assertEquals(Scope.READ_WRITE, web.scope());
        assertEquals(java.util.Set.of("web", "mobile"), web.teams());
        assertTrue(web.reaches("web") && web.reaches("mobile"));
        assertTrue(!web.reaches("docs"));
        ApiKeys.Entry reader = keys.find("reader").orElseThrow();
        assertEquals(Scope.READ_ONLY, reader.scope());
        assertTrue(reader.reaches("docs") && !reader.reaches("web"));
        assertTrue(keys.find("any-team").orElseThrow().reaches("whatever"), "no list: every team");
    }

    @Test
    void aBadTeamListIsReportedWithTheLineNumber() {
        KeyFileException empty = assertThrows(KeyFileException.class, () -> parse("k1 rw teams=web,,mobile"));
        assertEquals("keys.txt line 1: '' is not a team name (letters, digits, . _ - ~, at most 64 characters,"
                + " separated by commas)", empty.getMessage());
        KeyFileException slash = assertThrows(KeyFileException.class, () -> parse("k1 teams=../x"));
        assertTrue(slash.getMessage().startsWith("keys.txt line 1: '../x' is not a team name"), slash.getMessage());
        KeyFileException twice = assertThrows(KeyFileException.class, () -> parse("k1 teams=a teams=b"));
        assertEquals("keys.txt line 1: teams= is given twice", twice.getMessage());
    }
}
