package io.polycache.web.buildcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.store.InvalidKeyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PathKeyTest {
    @Test
    void segmentsAreJoinedSoThatLayoutsNeverMeet() {
        assertEquals("45~524pn039", PathKey.of("45/524pn039").value());
        assertEquals("45524pn039", PathKey.of("45524pn039").value());
        assertEquals("v1.2~demo.proto~mproto~ffe8~buildinfo.xml",
                PathKey.of("v1.2/demo.proto/mproto/ffe8/buildinfo.xml").value());
    }

    @Test
    void aPathTooLongForAKeyBecomesItsDigestWhichNoJoinedPathCanBe() {
        String longPath = "g".repeat(150) + "/" + "a".repeat(150);
        String key = PathKey.of(longPath).value();
        assertEquals(65, key.length());
        assertTrue(key.startsWith("~"));
        assertNotEquals(key, PathKey.of("g".repeat(150) + "/" + "a".repeat(149)).value());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "a/", "/a", "a//b", "..", "a/../b", ".hidden", "a/.git", "a~b", "a b",
            "a\u0000b", "a%2Fb", "é", "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q"})
    void anythingButSafeSegmentsIsRefused(String path) {
        assertThrows(InvalidKeyException.class, () -> PathKey.of(path));
    }
}
