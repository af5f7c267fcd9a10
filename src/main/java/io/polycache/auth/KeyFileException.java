package io.polycache.auth;

/** A key file, or a key list, that cannot be read; the message names the line. */
public final class KeyFileException extends Exception {
    public KeyFileException(String message) {
        super(message);
    }
}
