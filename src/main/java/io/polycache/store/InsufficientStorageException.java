package io.polycache.store;

/** A write that cannot fit under the hard size limit, even after eviction. */
public final class InsufficientStorageException extends StoreException {
    public InsufficientStorageException(long needed, long occupied, long hardLimit) {
        super("Insufficient storage: " + needed + " more bytes would not fit under the hard limit of " + hardLimit
                + " bytes (" + occupied + " in use or reserved, nothing left to evict)");
    }
}
