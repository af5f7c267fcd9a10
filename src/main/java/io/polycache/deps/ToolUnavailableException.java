package io.polycache.deps;

/** The package manager a request needs is not installed on this server. Answered 503. */
public final class ToolUnavailableException extends RuntimeException {
    public ToolUnavailableException(String tool) {
        super(tool + " is not available on this server");
    }
}
