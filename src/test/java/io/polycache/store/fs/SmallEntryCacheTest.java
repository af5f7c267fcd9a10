package io.polycache.store.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.store.EntryMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The admission rule of {@link SmallEntryCache} and the sketch it counts reads with. */
class SmallEntryCacheTest {
    private static final EntryMeta META = new EntryMeta(4000, "0".repeat(64), 0, Map.of());

    /** A read as FsEntryStore does it: look up (counted), and on a miss offer what was read. */
    private static void read(SmallEntryCache cache, String name) {
        if (cache.get(name) == null) {
            cache.put(name, new SmallEntryCache.Cached(META, new byte[4100]));
        }
    }

    private static final long CAPACITY = 1024 * 1024;
    private static final long SMALL_CAPACITY = 64 * 1024;
    /** What one entry above costs the cache. */
    private static final long COST = 4100 + 128;

    /** Fills the cache with entries read once each; returns their names. */
    private static List<String> fill(SmallEntryCache cache, long capacity, String prefix) {
        List<String> names = new ArrayList<>();
        for (int i = 0; cache.bytes() + COST <= capacity; i++) {
            read(cache, prefix + i);
            names.add(prefix + i);
        }
        for (String name : names) {
            assertTrue(cache.contains(name), "while there is room, a first read goes in: " + name);
        }
        return names;
    }

    @Test
    void aFullCacheReadEvenlyOverAStoreFarLargerKeepsWhatItHolds() {
        SmallEntryCache cache = new SmallEntryCache(CAPACITY);
        List<String> held = fill(cache, CAPACITY, "held-");
        long full = cache.bytes();
        // 20 times as many other keys, each read twice (the second read right after the first).
        for (int i = 0; i < 20 * held.size(); i++) {
            read(cache, "other-" + i);
            read(cache, "other-" + i);
        }
        long kept = held.stream().filter(cache::contains).count();
        assertTrue(kept >= held.size() * 95 / 100, "kept " + kept + " of " + held.size());
        assertTrue(cache.bytes() <= CAPACITY);
        assertTrue(cache.bytes() >= full - COST * (held.size() - kept), "nothing dropped beyond what was replaced");
    }

    @Test
    void anEntryReadAgainAndAgainReplacesOneReadLess() {
        SmallEntryCache cache = new SmallEntryCache(CAPACITY);
        List<String> held = fill(cache, CAPACITY, "held-");
        for (int i = 0; i < SmallEntryCache.ADMIT_WHEN_FULL - 1; i++) {
            read(cache, "hot");
            assertFalse(cache.contains("hot"), "not after " + (i + 1) + " reads");
        }
        read(cache, "hot");
        assertTrue(cache.contains("hot"), "in after " + SmallEntryCache.ADMIT_WHEN_FULL + " reads");
        assertEquals(held.size() - 1, held.stream().filter(cache::contains).count(), "one entry made room for it");
        assertTrue(cache.bytes() <= CAPACITY);
        assertTrue(cache.get("hot") != null, "and its next read is a hit");
    }

    @Test
    void entriesReadOftenAreNotReplacedByOneReadLessOften() {
        // Small enough that no halving of the counts comes in between (64 entries' worth of
        // counters, halved every 128 reads; this test reads 68 times).
        SmallEntryCache cache = new SmallEntryCache(SMALL_CAPACITY);
        List<String> held = fill(cache, SMALL_CAPACITY, "held-");
        for (int round = 0; round < 3; round++) {
            for (String name : held) {
                assertTrue(cache.get(name) != null);
            }
        }
        // Each held entry: 4 reads. A newcomer read 3 times (enough for a cache of entries read
        // less) does not replace any; one read 5 times does.
        for (int i = 0; i < 3; i++) {
            read(cache, "warm");
        }
        assertFalse(cache.contains("warm"));
        assertEquals(held.size(), held.stream().filter(cache::contains).count());
        for (int i = 0; i < 5; i++) {
            read(cache, "hotter");
        }
        assertTrue(cache.contains("hotter"));
        assertTrue(cache.bytes() <= SMALL_CAPACITY);
    }

    @Test
    void theSketchCountsPerKeyUpToFifteenAndForgetsByHalves() {
        FrequencySketch sketch = new FrequencySketch(1024, 1 << 20);
        for (int i = 0; i < 20; i++) {
            sketch.increment("a".hashCode());
        }
        for (int i = 0; i < 6; i++) {
            sketch.increment("b".hashCode());
        }
        assertEquals(15, sketch.frequency("a".hashCode()), "saturates at 15");
        assertEquals(6, sketch.frequency("b".hashCode()));
        assertEquals(0, sketch.frequency("never".hashCode()));

        FrequencySketch halving = new FrequencySketch(1024, 16);
        for (int i = 0; i < 8; i++) {
            halving.increment("a".hashCode());
        }
        assertEquals(8, halving.frequency("a".hashCode()));
        for (int i = 0; i < 8; i++) {
            halving.increment(("other" + i).hashCode()); // the 16th read halves every count
        }
        assertEquals(4, halving.frequency("a".hashCode()));
    }
}
