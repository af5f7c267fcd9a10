package io.polycache.store.fs;

import io.polycache.store.EntryMeta;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Small entries kept whole in memory, bounded in bytes (nginx's {@code open_file_cache}, one
 * step further: no open, no read, no close). Only bytes that were checked against their
 * SHA-256 when read from disk go in. {@link FsEntryStore} keeps it coherent: every commit,
 * delete and eviction of a key removes it under the key's lock, and a read adds what it read
 * only if no commit or delete of that lock stripe happened since it began.
 *
 * <p>When full, entries are dropped in the map's own order, which is unrelated to their use: a
 * cheap approximation of random eviction.
 */
final class SmallEntryCache {
    /** An entry's metadata and its body (the first {@code meta.size()} bytes of {@code bytes}). */
    record Cached(EntryMeta meta, byte[] bytes) {}

    private final long capacity;
    private final ConcurrentHashMap<String, Cached> entries = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();

    SmallEntryCache(long capacity) {
        this.capacity = capacity;
    }

    /** A bound for this JVM: a sixteenth of the heap, at most 64 MiB. */
    static long defaultCapacity() {
        return Math.min(64L * 1024 * 1024, Runtime.getRuntime().maxMemory() / 16);
    }

    Cached get(String name) {
        return entries.get(name);
    }

    void put(String name, Cached cached) {
        long size = cost(cached);
        if (size > capacity) {
            return;
        }
        Cached previous = entries.put(name, cached);
        bytes.addAndGet(size - (previous == null ? 0 : cost(previous)));
        if (bytes.get() > capacity) {
            Iterator<java.util.Map.Entry<String, Cached>> it = entries.entrySet().iterator();
            while (bytes.get() > capacity - capacity / 8 && it.hasNext()) {
                java.util.Map.Entry<String, Cached> victim = it.next();
                if (entries.remove(victim.getKey(), victim.getValue())) {
                    bytes.addAndGet(-cost(victim.getValue()));
                }
            }
        }
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

    private static long cost(Cached cached) {
        return cached.bytes().length + 128L; // the array and roughly what holds it
    }
}
