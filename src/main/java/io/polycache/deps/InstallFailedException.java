package io.polycache.deps;

/** The package manager exited with an error. Answered 422 with the end of its output. */
public final class InstallFailedException extends RuntimeException {
    private final String log;

    public InstallFailedException(String message, String log) {
        super(message);
        this.log = log;
    }

    /** The last lines of the install's output. */
    public String log() {
        return log;
    }
}
