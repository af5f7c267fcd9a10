package io.polycache.store.s3;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the node last saw of the bucket: every S3 call reports its outcome here (a 404 or a 412
 * is an answer, so a success), and {@code /health} reads it. Recovery needs no restart: the next
 * call that gets through, a request's or the health check's own probe, clears the failure.
 */
public final class S3Health {
    private record Seen(long atNanos, String failure) {}

    private final AtomicReference<Seen> last = new AtomicReference<>(new Seen(System.nanoTime(), null));

    void success() {
        last.set(new Seen(System.nanoTime(), null));
    }

    void failure(String what) {
        last.set(new Seen(System.nanoTime(), what));
    }

    /** Why the bucket is unusable, as last seen; empty while it answers. */
    public Optional<String> failure() {
        return Optional.ofNullable(last.get().failure());
    }

    /** Nanoseconds since the last outcome was recorded. */
    long ageNanos() {
        return System.nanoTime() - last.get().atNanos();
    }
}
