package io.polycache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.testing.Fuzz;
import java.util.Locale;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Keys from the network: a key that parses is safe as a file name; anything else is an InvalidKeyException. */
class KeysFuzzTest {
    @Provide
    Arbitrary<String> text() {
        return Fuzz.hostileText(260);
    }

    @Property(seed = Fuzz.SEED)
    void aCacheKeyParsesToLowerCaseHexOrIsRefused(@ForAll("text") String text) {
        CacheKey key;
        try {
            key = CacheKey.parse(text);
        } catch (InvalidKeyException refused) {
            return;
        }
        assertTrue(key.value().matches("[0-9a-f]{32,128}"), key.value());
        assertEquals(text.toLowerCase(Locale.ROOT), key.value());
    }

    @Property(seed = Fuzz.SEED)
    void anEntryKeyIsOneSafeSegmentOrIsRefused(@ForAll("text") String text) {
        EntryKey key;
        try {
            key = new EntryKey(text);
        } catch (InvalidKeyException refused) {
            return;
        }
        assertTrue(key.value().matches("[A-Za-z0-9._~-]{1,200}"), key.value());
        assertTrue(!key.value().startsWith("."), key.value());
        // One segment: it resolves below its shard, never beside or above it.
        java.nio.file.Path shard = java.nio.file.Path.of("/store/entries/ns/aa/bb");
        assertEquals(shard, shard.resolve(key.value()).normalize().getParent());
    }
}
