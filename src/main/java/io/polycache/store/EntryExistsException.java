package io.polycache.store;

/** A write to an immutable entry that is already stored. */
public final class EntryExistsException extends StoreException {
    public EntryExistsException(String message) {
        super(message);
    }
}
