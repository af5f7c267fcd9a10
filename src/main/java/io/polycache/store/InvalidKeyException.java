package io.polycache.store;

/** A key that is not of the form its kind of entry requires. */
public final class InvalidKeyException extends StoreException {
    public InvalidKeyException(String key) {
        super("Invalid cache key format: " + key);
    }

    /** The same, saying what a key of its kind looks like. */
    public InvalidKeyException(String key, String expected) {
        super("Invalid cache key format: " + key + " (expected " + expected + ")");
    }
}
