package io.polycache.store;

import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Metadata of recently read or committed artifacts, at most {@code capacity} of them, so that a
 * hot read opens one file instead of two (about a tenth of a small GET's CPU went to reading the
 * metadata file; bench/results/profile-*-small-get.txt). Holds only what a caller put; the
 * artifact store keeps it in step with the files, under the key's lock.
 *
 * <p>When full, an arbitrary entry makes room (the map's first): cheap and without a shared
 * lock on the read path, and a miss costs only the file read it would have cost anyway.
 */
final class RecentMetadata {
    private final int capacity;
    private final ConcurrentHashMap<String, byte[]> entries;

    RecentMetadata(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
        this.entries = new ConcurrentHashMap<>(Math.min(capacity, 1024));
    }

    byte[] get(String key) {
        return entries.get(key);
    }

    void put(String key, byte[] metadata) {
        if (entries.put(key, metadata) == null && entries.mappingCount() > capacity) {
            Iterator<String> candidates = entries.keySet().iterator();
            while (entries.mappingCount() > capacity && candidates.hasNext()) {
                String victim = candidates.next();
                if (!victim.equals(key)) {
                    candidates.remove();
                }
            }
        }
    }

    void remove(String key) {
        entries.remove(key);
    }

    int size() {
        return (int) entries.mappingCount();
    }
}
