package io.polycache.deps;

/** A dependency request the client must fix; the message says what. Answered 400. */
public final class InvalidRequestException extends RuntimeException {
    public InvalidRequestException(String message) {
        super(message);
    }
}
