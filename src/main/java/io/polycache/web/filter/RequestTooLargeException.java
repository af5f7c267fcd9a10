package io.polycache.web.filter;

/**
 * Thrown from a read of a request body that has passed its size limit. Unchecked, so that it
 * passes through decompressors and parsers untouched to its exception mapper.
 */
public final class RequestTooLargeException extends RuntimeException {
    public RequestTooLargeException(long limit) {
        super("Request body exceeds the maximum size of " + limit + " bytes");
    }

    /** The size-limit failure behind {@code e}, however deeply a reader wrapped it. */
    public static java.util.Optional<RequestTooLargeException> findIn(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof RequestTooLargeException tooLarge) {
                return java.util.Optional.of(tooLarge);
            }
        }
        return java.util.Optional.empty();
    }
}
