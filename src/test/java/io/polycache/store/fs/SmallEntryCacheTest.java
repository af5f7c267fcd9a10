package io.polycache.store.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.store.EntryMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The admission rule of {@link SmallEntryCache}, the blocks it keeps bodies in, and the sketch it counts reads with. */
class SmallEntryCacheTest {
    private static final EntryMeta META = new EntryMeta(4000, "0".repeat(64), 0, Map.of());

    /** A read as FsEntryStore does it: look up (counted), and on a miss offer what was read. */
    private static void read(SmallEntryCache cache, String name) {
        if (cache.get(name) == null) {
            cache.put(name, META, new byte[4100]);
        }
    }

    private static final long CAPACITY = 1024 * 1024;
    private static final long SMALL_CAPACITY = 64 * 1024;
    /** What one entry above costs the cache. */
    private static final long COST = SmallEntryCache.cost(META.size());

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

    /** A body whose bytes say which entry (and which version of it) they belong to. */
    private static byte[] body(int size, int tag) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (tag * 31 + i);
        }
        return bytes;
    }

    private static EntryMeta meta(int size) {
        return new EntryMeta(size, "0".repeat(64), 0, Map.of());
    }

    @Test
    void bodiesComeBackWholeWhateverTheirSizeAndWhereverTheirBlocks() {
        SmallEntryCache cache = new SmallEntryCache(CAPACITY);
        int[] sizes = {0, 1, 1023, 1024, 1025, 4096, 4097, 65536};
        for (int round = 0; round < 3; round++) { // later rounds reuse the blocks freed by the earlier
            for (int i = 0; i < sizes.length; i++) {
                cache.put("e" + i, meta(sizes[i]), body(sizes[i], round * 10 + i));
            }
            for (int i = 0; i < sizes.length; i++) {
                SmallEntryCache.Cached cached = cache.get("e" + i);
                byte[] target = new byte[sizes[i] + 7];
                assertTrue(cache.read(cached, target));
                assertArrayEquals(body(sizes[i], round * 10 + i), java.util.Arrays.copyOf(target, sizes[i]));
                cache.remove("e" + i);
            }
            assertEquals(0, cache.bytes());
        }
    }

    @Test
    void aReadOfAnEntryFreedMeanwhileIsRefusedEvenIfItsBlocksHoldAnotherBody() {
        // Room for one entry: the second takes the blocks the first gave back.
        SmallEntryCache cache = new SmallEntryCache(SmallEntryCache.cost(4096));
        cache.put("first", meta(4096), body(4096, 1));
        SmallEntryCache.Cached first = cache.get("first");
        cache.remove("first");
        cache.put("second", meta(4096), body(4096, 2));
        SmallEntryCache.Cached second = cache.get("second");
        byte[] target = new byte[4096];
        org.junit.jupiter.api.Assertions.assertFalse(cache.read(first, target), "freed: not the first's bytes any more");
        assertArrayEquals(body(4096, 2), target, "they are the second's");
        assertTrue(cache.read(second, target));
        assertNull(cache.get("first"));
    }

    @Test
    void readersRacingEvictionsNeverTakeAnotherEntrysBytes() throws Exception {
        // 8 entries' room, 64 keys, each replaced by a new version now and then: blocks change
        // hands all the time while 2 threads read.
        SmallEntryCache cache = new SmallEntryCache(8 * SmallEntryCache.cost(4096));
        int keys = 64;
        int[] versions = new int[keys];
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<String> wrong = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicLong checked = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.ConcurrentHashMap<String, byte[]> expected = new java.util.concurrent.ConcurrentHashMap<>();
        Runnable reader = () -> {
            java.util.Random random = new java.util.Random();
            byte[] target = new byte[4096];
            while (!done.get() && wrong.get() == null) {
                String name = "k" + random.nextInt(keys);
                SmallEntryCache.Cached cached = cache.get(name);
                if (cached != null && cache.read(cached, target)) {
                    // Each version of a key has its own metadata object, mapped to its body.
                    byte[] want = expected.get(name + "@" + System.identityHashCode(cached.meta()));
                    if (want != null && !java.util.Arrays.equals(want, target)) {
                        wrong.set(name);
                    }
                    checked.incrementAndGet();
                }
            }
        };
        List<Thread> threads = List.of(new Thread(reader), new Thread(reader));
        threads.forEach(Thread::start);
        java.util.Random random = new java.util.Random(7);
        long end = System.nanoTime() + 1_500_000_000L;
        while (System.nanoTime() < end && wrong.get() == null) {
            int k = random.nextInt(keys);
            String name = "k" + k;
            if (random.nextInt(4) == 0) {
                cache.remove(name); // as a commit or a delete does
                versions[k]++;
            }
            EntryMeta meta = meta(4096);
            byte[] bytes = body(4096, k * 1000 + versions[k]);
            expected.put(name + "@" + System.identityHashCode(meta), bytes);
            for (int i = 0; i < SmallEntryCache.ADMIT_WHEN_FULL; i++) {
                if (cache.get(name) == null) {
                    cache.put(name, meta, bytes);
                }
            }
        }
        done.set(true);
        for (Thread thread : threads) {
            thread.join();
        }
        assertNull(wrong.get(), "a read took bytes that were not its entry's");
        assertTrue(checked.get() > 1000, "reads checked: " + checked.get());
    }
}
