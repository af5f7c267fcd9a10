package io.polycache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CacheKeyTest {
    @Test
    void parseLowerCasesTheKey() {
        assertEquals("0123456789abcdef0123456789abcdef",
                CacheKey.parse("0123456789ABCDEF0123456789abcdef").value());
    }

    @Test
    void acceptsThe32And128CharacterBounds() {
        assertEquals(32, CacheKey.parse("a".repeat(32)).value().length());
        assertEquals(128, CacheKey.parse("b".repeat(128)).value().length());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "0123456789abcdef0123456789abcde", "../../etc/passwd0123456789abcdef0123",
            "0123456789abcdef0123456789abcdeg", "0123456789abcdef/123456789abcdef0", "0123456789abcdef\u0000123456789abcdef0"})
    void refusesAnythingButHexOfTheRightLength(String key) {
        InvalidKeyException e = assertThrows(InvalidKeyException.class, () -> CacheKey.parse(key));
        assertEquals("Invalid cache key format: " + key + " (expected 32 to 128 hexadecimal characters)", e.getMessage());
    }

    @Test
    void refuses129Characters() {
        assertThrows(InvalidKeyException.class, () -> CacheKey.parse("c".repeat(129)));
    }

    @Test
    void constructorRefusesUpperCase() {
        assertThrows(InvalidKeyException.class, () -> new CacheKey("A".repeat(32)));
    }
}
