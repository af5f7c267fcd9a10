package io.polycache.bundle;

/** An installed tree or an index with an entry that could escape the bundle root. */
public final class UnsafeEntryException extends RuntimeException {
    public UnsafeEntryException(String message) {
        super(message);
    }
}
