package io.polycache.web.multipart;

/** A multipart body that does not follow the format. Answered 400. */
public final class MalformedMultipartException extends RuntimeException {
    public MalformedMultipartException(String message) {
        super("Malformed multipart body: " + message);
    }
}
