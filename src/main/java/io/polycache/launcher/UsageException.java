package io.polycache.launcher;

/** A command line the launcher cannot run; the message names the flag or value. */
final class UsageException extends Exception {
    UsageException(String message) {
        super(message);
    }
}
