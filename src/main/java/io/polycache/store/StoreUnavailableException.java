package io.polycache.store;

/**
 * The store could not be reached or answered with a failure (the shared S3 bucket is down,
 * refuses the credentials, times out). Never a miss: the entry may well be stored. Clients get
 * 503 with {@code Retry-After}; the web layer maps it in one place.
 */
public final class StoreUnavailableException extends StoreException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
