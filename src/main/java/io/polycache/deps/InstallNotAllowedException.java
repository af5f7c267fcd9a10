package io.polycache.deps;

/** A read-only key asked for a bundle that is not stored. Answered 403. */
public final class InstallNotAllowedException extends RuntimeException {
    public InstallNotAllowedException() {
        super("a read-only key cannot start an install");
    }
}
