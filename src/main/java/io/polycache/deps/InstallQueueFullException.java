package io.polycache.deps;

/** Every install slot is busy and the queue is full. Answered 503 with Retry-After. */
public final class InstallQueueFullException extends RuntimeException {
    public InstallQueueFullException() {
        super("Too many installs in progress; retry later");
    }
}
