package io.polycache.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Recognises a write that failed because the filesystem is full (ENOSPC), so that it is
 * answered as insufficient storage (507) rather than as an unexpected failure, and remembers
 * whether the latest entry write failed that way, for the health check (reads go on meanwhile,
 * and the next write that succeeds clears it). The JDK reports ENOSPC only as an
 * {@link IOException} with the operating system's message.
 */
public final class DiskFull {
    private static final AtomicLong LAST = new AtomicLong();

    private DiskFull() {}

    /** The disk-full failure in {@code failure}'s causes, as the store's exception; else empty. */
    public static Optional<InsufficientStorageException> find(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InsufficientStorageException already) {
                return Optional.of(already);
            }
            if ((t instanceof IOException || t instanceof UncheckedIOException) && t.getMessage() != null
                    && t.getMessage().contains("No space left on device")) {
                LAST.set(System.currentTimeMillis());
                return Optional.of(InsufficientStorageException.diskFull(failure));
            }
        }
        return Optional.empty();
    }

    /** Rethrows a disk-full failure as {@link InsufficientStorageException}; returns otherwise. */
    public static void rethrowIfFull(Throwable failure) {
        Optional<InsufficientStorageException> full = find(failure);
        if (full.isPresent() && full.get() != failure) {
            throw full.get();
        }
    }

    /** A write went through: the filesystem has room again. */
    public static void cleared() {
        if (LAST.get() != 0) {
            LAST.set(0);
        }
    }

    /** Whether the last write that could have failed for want of space did. */
    public static boolean isFull() {
        return LAST.get() != 0;
    }
}
