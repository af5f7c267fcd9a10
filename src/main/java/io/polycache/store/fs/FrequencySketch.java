package io.polycache.store.fs;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How often keys were read lately, approximately and in a fixed amount of memory (the
 * count-min sketch of TinyLFU): four 4-bit counters per key, sixteen to a {@code long}; a key's
 * frequency is the least of its four, at most 15. After every {@code sampleSize} reads all
 * counters are halved, so a frequency speaks of the last few samples, not of all time.
 *
 * <p>Thread-safe without locks: counters are read and written plainly, so two reads at the same
 * instant may count as one. That is an estimate's error, never a wrong answer elsewhere: the
 * sketch only decides what a cache keeps.
 */
final class FrequencySketch {
    private static final long[] SEEDS = {0xc3a5c85c97cb3127L, 0xb492b66fbe98f273L, 0x9ae16a3b2f90404fL, 0xcbf29ce484222325L};
    private static final long HALF = 0x7777_7777_7777_7777L;

    private final AtomicLongArray table;
    private final int mask;
    private final int sampleMask;
    private final AtomicInteger additions = new AtomicInteger();

    /**
     * @param width counters' {@code long}s (rounded up to a power of two; 16 counters each)
     * @param sampleSize reads between two halvings (rounded up to a power of two)
     */
    FrequencySketch(int width, int sampleSize) {
        int size = Integer.highestOneBit(Math.max(2, width - 1)) << 1;
        table = new AtomicLongArray(size);
        mask = size - 1;
        sampleMask = (Integer.highestOneBit(Math.max(2, sampleSize - 1)) << 1) - 1;
    }

    /** Counts one read of the key with this hash. */
    void increment(int hash) {
        long h = spread(hash);
        for (int i = 0; i < 4; i++) {
            long x = (h + SEEDS[i]) * SEEDS[i];
            int index = (int) (x >>> 32) & mask;
            int shift = (int) (x >>> 60) << 2;
            long word = table.getPlain(index);
            if (((word >>> shift) & 15) != 15) {
                table.setPlain(index, word + (1L << shift));
            }
        }
        if ((additions.incrementAndGet() & sampleMask) == 0) {
            halve();
        }
    }

    /** The key's reads counted lately (0 to 15). */
    int frequency(int hash) {
        long h = spread(hash);
        int least = 15;
        for (int i = 0; i < 4; i++) {
            long x = (h + SEEDS[i]) * SEEDS[i];
            int index = (int) (x >>> 32) & mask;
            int shift = (int) (x >>> 60) << 2;
            least = Math.min(least, (int) ((table.getPlain(index) >>> shift) & 15));
        }
        return least;
    }

    private void halve() {
        for (int i = 0; i < table.length(); i++) {
            table.setPlain(i, (table.getPlain(i) >>> 1) & HALF);
        }
    }

    private static long spread(int hash) {
        long h = hash * 0x9e3779b97f4a7c15L;
        return h ^ (h >>> 29);
    }
}
