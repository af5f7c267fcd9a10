package io.polycache.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RecentMetadataTest {
    @Test
    void holdsWhatWasPutUntilRemoved() {
        RecentMetadata recent = new RecentMetadata(4);
        recent.put("a", new byte[] {1});

        assertArrayEquals(new byte[] {1}, recent.get("a"));
        recent.remove("a");
        assertNull(recent.get("a"));
    }

    @Test
    void neverHoldsMoreThanItsCapacityAndKeepsTheNewestEntry() {
        RecentMetadata recent = new RecentMetadata(100);
        for (int i = 0; i < 1000; i++) {
            recent.put("k" + i, new byte[] {(byte) i});
            assertArrayEquals(new byte[] {(byte) i}, recent.get("k" + i));
        }
        assertEquals(100, recent.size());
    }

    @Test
    void replacingAnEntryDoesNotEvictAnother() {
        RecentMetadata recent = new RecentMetadata(2);
        recent.put("a", new byte[] {1});
        recent.put("b", new byte[] {2});
        recent.put("a", new byte[] {3});

        assertArrayEquals(new byte[] {3}, recent.get("a"));
        assertArrayEquals(new byte[] {2}, recent.get("b"));
    }

    @Test
    void refusesANonPositiveCapacity() {
        assertThrows(IllegalArgumentException.class, () -> new RecentMetadata(0));
    }
}
