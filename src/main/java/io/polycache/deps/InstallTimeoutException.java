package io.polycache.deps;

import java.time.Duration;

/** An install ran past its time limit and was killed. Answered 504. */
public final class InstallTimeoutException extends RuntimeException {
    private final String log;

    public InstallTimeoutException(Duration timeout, String log) {
        super("Installation timed out after " + timeout.toSeconds() + " seconds");
        this.log = log;
    }

    /** The last lines of the install's output. */
    public String log() {
        return log;
    }
}
