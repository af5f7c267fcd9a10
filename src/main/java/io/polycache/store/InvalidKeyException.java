package io.polycache.store;

/** A key that is not of the form its kind of entry requires. */
public final class InvalidKeyException extends StoreException {
    public InvalidKeyException(String key) {
        super("Invalid cache key format: " + key);
    }
}
