package io.polycache.boot;

/**
 * Why the webapp refuses to start. Carries no stack trace: the message is the whole story, and
 * the container logs it as one readable line.
 */
final class StartupException extends RuntimeException {
    StartupException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
