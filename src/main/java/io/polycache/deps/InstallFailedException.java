package io.polycache.deps;

/** The package manager exited with an error. Answered 422 with its error lines and the end of its output. */
public final class InstallFailedException extends RuntimeException {
    private final String log;

    public InstallFailedException(String message, String log) {
        super(message);
        this.log = log;
    }

    /** The install's error lines and last lines ({@link FailureLog}). */
    public String log() {
        return log;
    }
}
