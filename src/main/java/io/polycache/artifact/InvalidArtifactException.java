package io.polycache.artifact;

/** An upload that is not a well-formed Polykit artifact for its key; the message says why. */
public final class InvalidArtifactException extends RuntimeException {
    public InvalidArtifactException(String message) {
        super(message);
    }

    public InvalidArtifactException(String message, Throwable cause) {
        super(message, cause);
    }
}
