package io.polycache.store;

import java.io.IOException;

/** Deletes the files of one kind of entry when the ledger evicts it. */
@FunctionalInterface
public interface Evictor {
    /**
     * Deletes the entry's files. Called with the ledger's eviction lock held; may call back into
     * the ledger (an index releases its blobs).
     */
    void evict(String name) throws IOException;
}
