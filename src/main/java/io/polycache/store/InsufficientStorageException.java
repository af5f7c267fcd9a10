package io.polycache.store;

/** A write that cannot fit: under the hard size limit even after eviction, or on the disk at all. */
public final class InsufficientStorageException extends StoreException {
    private InsufficientStorageException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The filesystem itself is full (ENOSPC), whatever the size limits say. */
    public static InsufficientStorageException diskFull(Throwable cause) {
        return new InsufficientStorageException("Insufficient storage: the storage directory's filesystem is full"
                + " (no space left on device); writes resume once space is freed", cause);
    }

    /** The shared bucket is past its hard bound until the janitor's next round frees space. */
    public static InsufficientStorageException bucketFull(long used, long hardLimit) {
        return new InsufficientStorageException("Insufficient storage: the shared bucket holds about " + used
                + " bytes, past its hard limit of " + hardLimit + " bytes; writes resume once the janitor's next"
                + " round has evicted the least recently used entries", null);
    }

    public InsufficientStorageException(long needed, long occupied, long hardLimit) {
        super("Insufficient storage: " + needed + " more bytes would not fit under the hard limit of " + hardLimit
                + " bytes (" + occupied + " in use or reserved, nothing left to evict)");
    }
}
