package io.polycache.store.fs;

import io.polycache.store.EntryMeta;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Small entries kept whole in memory, bounded in bytes (nginx's {@code open_file_cache}, one
 * step further: no open, no read, no close). Only bytes that were checked against their
 * SHA-256 when read from disk go in. {@link FsEntryStore} keeps it coherent: every commit,
 * delete and eviction of a key removes it under the key's lock, and a read adds what it read
 * only if no commit or delete of that lock stripe happened since it began.
 *
 * <p>Admission (TinyLFU, simplified): every read of a key, hit or miss, is counted in a
 * {@link FrequencySketch} that forgets by halves. While there is room, a read entry goes in.
 * Once full, a read entry goes in only if it was read at least {@link #ADMIT_WHEN_FULL} times
 * lately (this read included) and more often than the least read of a few entries sampled in
 * the map's own order, which it then replaces. So a store far larger than the cache, read
 * evenly, leaves the cache as it filled (a miss costs one counter update and one estimate,
 * never an insert and an eviction), while entries read again and again take the place of those
 * that are not.
 */
final class SmallEntryCache {
    /** Lately counted reads (this one included) an entry needs to replace another in a full cache. */
    static final int ADMIT_WHEN_FULL = 3;
    /** Entries sampled for the one to replace. */
    static final int SAMPLE = 4;
    /** The typical entry, for sizing the sketch: a 4 KiB body. */
    private static final int TYPICAL_COST = 4096;

    /** An entry's metadata and its body (the first {@code meta.size()} bytes of {@code bytes}). */
    record Cached(EntryMeta meta, byte[] bytes) {}

    private final long capacity;
    private final ConcurrentHashMap<String, Cached> entries = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final FrequencySketch sketch;
    /** Guards every insertion and {@link #sampler}; lookups and removals take no lock. */
    private final Object admission = new Object();
    /** Walks the map round and round for victims to sample. Guarded by {@link #admission}. */
    private Iterator<Map.Entry<String, Cached>> sampler;

    SmallEntryCache(long capacity) {
        this.capacity = capacity;
        int typicalEntries = (int) Math.min(1 << 22, Math.max(64, capacity / TYPICAL_COST));
        // Four longs (64 counters) per typical entry, halved every two cache-fulls of reads: at
        // most a fifth of the counters are taken by other keys, so a key read twice lately is
        // taken for one read three times in about one case in a thousand.
        this.sketch = new FrequencySketch(4 * typicalEntries, 2 * typicalEntries);
    }

    /**
     * A bound for this JVM: an eighth of the heap (with the JVM's default heap, a quarter of the
     * memory, that is a thirty-second of the memory). Measured (docs/benchmarks.md, "Small reads
     * from memory"): reads of entries not held here cost about twice the CPU of those held, and
     * a cache of 64 MiB held a sixth of a store of 100,000 entries of 4 KiB.
     */
    static long defaultCapacity() {
        return Runtime.getRuntime().maxMemory() / 8;
    }

    /** The cached entry, if any; counts the read either way. */
    Cached get(String name) {
        sketch.increment(name.hashCode());
        return entries.get(name);
    }

    /** Offers an entry just read (and counted by {@link #get}); admitted by the rule above. */
    void put(String name, Cached cached) {
        offer(name, cost(cached), () -> cached);
    }

    /**
     * Offers an entry just read into a buffer that is reused afterwards: its first {@code length}
     * bytes are copied, only if the entry is admitted (a miss that does not qualify copies nothing).
     */
    void put(String name, EntryMeta meta, byte[] source, int length) {
        offer(name, length + OVERHEAD, () -> new Cached(meta, java.util.Arrays.copyOf(source, length)));
    }

    private void offer(String name, long size, java.util.function.Supplier<Cached> entry) {
        if (size > capacity) {
            return;
        }
        int frequency = -1;
        if (bytes.get() + size > capacity) {
            frequency = sketch.frequency(name.hashCode());
            if (frequency < ADMIT_WHEN_FULL) {
                return; // the usual miss of a large store: no lock, no change
            }
        }
        synchronized (admission) {
            Cached previous = entries.get(name);
            long needed = size - (previous == null ? 0 : cost(previous));
            if (bytes.get() + needed > capacity) {
                if (frequency < 0) {
                    frequency = sketch.frequency(name.hashCode());
                }
                if (frequency < ADMIT_WHEN_FULL || !makeRoom(needed, frequency)) {
                    return;
                }
            }
            add(name, entry.get());
        }
    }

    /** Under the admission lock: evicts entries read less than {@code frequency} until {@code needed} fits. */
    private boolean makeRoom(long needed, int frequency) {
        for (int round = 0; round < 2 * SAMPLE && bytes.get() + needed > capacity; round++) {
            Map.Entry<String, Cached> victim = null;
            int least = Integer.MAX_VALUE;
            for (int i = 0; i < SAMPLE; i++) {
                Map.Entry<String, Cached> candidate = nextSample();
                if (candidate == null) {
                    break;
                }
                int f = sketch.frequency(candidate.getKey().hashCode());
                if (f < least) {
                    least = f;
                    victim = candidate;
                }
            }
            if (victim == null || least >= frequency) {
                return false; // what is cached is read as often: keep it
            }
            if (entries.remove(victim.getKey(), victim.getValue())) {
                bytes.addAndGet(-cost(victim.getValue()));
            }
        }
        return bytes.get() + needed <= capacity;
    }

    private Map.Entry<String, Cached> nextSample() {
        if (sampler == null || !sampler.hasNext()) {
            sampler = entries.entrySet().iterator();
            if (!sampler.hasNext()) {
                return null;
            }
        }
        return sampler.next();
    }

    private void add(String name, Cached cached) {
        Cached previous = entries.put(name, cached);
        bytes.addAndGet(cost(cached) - (previous == null ? 0 : cost(previous)));
    }

    void remove(String name) {
        Cached removed = entries.remove(name);
        if (removed != null) {
            bytes.addAndGet(-cost(removed));
        }
    }

    long bytes() {
        return bytes.get();
    }

    boolean contains(String name) {
        return entries.containsKey(name);
    }

    private static long cost(Cached cached) {
        return cached.bytes().length + OVERHEAD;
    }

    /** What holds a cached array, roughly (map entry, record, metadata). */
    private static final long OVERHEAD = 128;
}
