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
 *
 * <p>The bodies live in the blocks of a {@link BlockPool}, out of the collector's way, and are
 * copied out by {@link #read}. A block freed (its entry replaced, deleted or evicted) may be
 * given to another entry while a reader copies it; the reader then sees its entry marked freed
 * after the copy and takes it as a miss: the idiom of {@link java.util.concurrent.locks.StampedLock}'s
 * optimistic read, with a flag per entry that is set once and never cleared.
 */
final class SmallEntryCache {
    /** Lately counted reads (this one included) an entry needs to replace another in a full cache. */
    static final int ADMIT_WHEN_FULL = 3;
    /** Entries sampled for the one to replace. */
    static final int SAMPLE = 4;
    /** The typical entry, for sizing the sketch: a 4 KiB body. */
    private static final int TYPICAL_COST = 4096;

    /** An entry's metadata and the blocks holding its body, valid until {@link #freed}. */
    static final class Cached {
        private final EntryMeta meta;
        private final int[] blocks;
        private volatile boolean freed;

        private Cached(EntryMeta meta, int[] blocks) {
            this.meta = meta;
            this.blocks = blocks;
        }

        EntryMeta meta() {
            return meta;
        }
    }

    private final long capacity;
    private final ConcurrentHashMap<String, Cached> entries = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final FrequencySketch sketch;
    /** Guarded by {@link #admission}. */
    private final BlockPool pool;
    /** Set while a thread allocates segments for {@link #pool}. */
    private final java.util.concurrent.atomic.AtomicBoolean growing = new java.util.concurrent.atomic.AtomicBoolean();
    /** Guards every insertion, every freeing of blocks and {@link #sampler}; lookups take no lock. */
    private final Object admission = new Object();
    /** Walks the map round and round for victims to sample. Guarded by {@link #admission}. */
    private Iterator<Map.Entry<String, Cached>> sampler;

    SmallEntryCache(long capacity) {
        this.capacity = capacity;
        this.pool = new BlockPool(capacity);
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

    /**
     * Offers an entry just read (and counted by {@link #get}) into a buffer that is reused
     * afterwards: its body, the first {@code meta.size()} bytes of {@code source}, is copied only
     * if the entry is admitted by the rule above (a miss that does not qualify copies nothing).
     */
    void put(String name, EntryMeta meta, byte[] source) {
        int length = (int) meta.size();
        if (length > source.length) {
            throw new IllegalArgumentException("the body is " + length + " bytes, the buffer " + source.length);
        }
        long size = cost(length);
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
        if (!insert(name, meta, source, size, frequency) && grow()) {
            insert(name, meta, source, size, frequency);
        }
    }

    /** False if the pool's segments so far are full (nothing was done then). */
    private boolean insert(String name, EntryMeta meta, byte[] source, long size, int frequency) {
        synchronized (admission) {
            if (entries.containsKey(name)) {
                return true; // cached by a read alongside, of the same file (see FsEntryStore)
            }
            if (bytes.get() + size > capacity) {
                if (frequency < 0) {
                    frequency = sketch.frequency(name.hashCode());
                }
                if (frequency < ADMIT_WHEN_FULL || !makeRoom(size, frequency)) {
                    return true;
                }
            }
            int length = (int) meta.size();
            int[] blocks = pool.allocate(BlockPool.blocksFor(length));
            if (blocks == null) {
                return false;
            }
            pool.write(blocks, source, length);
            entries.put(name, new Cached(meta, blocks));
            bytes.addAndGet(size);
            return true;
        }
    }

    /**
     * One growth step of the pool, by one thread at a time, its segments allocated without the
     * lock; true if this thread took it (reads of other threads meanwhile cache nothing).
     */
    private boolean grow() {
        if (!growing.compareAndSet(false, true)) {
            return false;
        }
        try {
            int[] lengths;
            synchronized (admission) {
                lengths = pool.growth();
            }
            byte[][] grown = new byte[lengths.length][];
            for (int i = 0; i < lengths.length; i++) {
                grown[i] = new byte[lengths[i]];
            }
            synchronized (admission) {
                pool.add(grown);
            }
            return lengths.length > 0;
        } finally {
            growing.set(false);
        }
    }

    /**
     * Copies the body of {@code cached} (from {@link #get}) into the first {@code meta.size()}
     * bytes of {@code target}; false if its blocks were freed meanwhile, and then what was copied
     * may be another entry's: the caller reads the file instead.
     */
    boolean read(Cached cached, byte[] target) {
        pool.read(cached.blocks, target, (int) cached.meta.size());
        java.lang.invoke.VarHandle.acquireFence(); // the copy above, before the check below
        return !cached.freed;
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
                release(victim.getValue());
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

    void remove(String name) {
        if (entries.containsKey(name)) { // the usual commit of a key not cached: no lock
            synchronized (admission) {
                Cached removed = entries.remove(name);
                if (removed != null) {
                    release(removed);
                }
            }
        }
    }

    /** Under the admission lock, once {@code cached} is out of the map: its blocks may be reused. */
    private void release(Cached cached) {
        cached.freed = true;
        // The flag, before any later write to the blocks (by this thread, or by another after the lock).
        java.lang.invoke.VarHandle.storeStoreFence();
        pool.free(cached.blocks);
        bytes.addAndGet(-cost(cached));
    }

    long bytes() {
        return bytes.get();
    }

    boolean contains(String name) {
        return entries.containsKey(name);
    }

    private static long cost(Cached cached) {
        return cost(cached.meta.size());
    }

    /** What an entry of {@code size} bytes costs the capacity: its blocks and what holds them, roughly. */
    static long cost(long size) {
        return (long) BlockPool.blocksFor(size) * BlockPool.BLOCK + OVERHEAD;
    }

    /** Map entry, {@link Cached}, its block numbers, metadata. */
    private static final long OVERHEAD = 128;
}
