package io.polycache.store;

/** The kinds of stored entries that take space and are accounted for. */
public enum EntryKind {
    /** A cache entry of any protocol (a Polykit artifact, a Turborepo artifact, ...), one file. */
    ENTRY,
    /** A dependency bundle's index; owns references to blobs. */
    INDEX,
    /** An assembled bundle ZIP; rebuildable from its index and blobs. */
    BUNDLE,
    /** A deduplicated file blob; lives while an index refers to it. */
    BLOB;

    /** Whether the LRU may evict this kind on its own (blobs go only with their last index). */
    boolean evictable() {
        return this != BLOB;
    }
}
