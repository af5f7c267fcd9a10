package io.polycache.store;

/** Base of the store's failures. Subclasses say what went wrong in terms a client can act on. */
public class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
