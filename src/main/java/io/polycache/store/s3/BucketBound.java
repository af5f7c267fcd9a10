package io.polycache.store.s3;

import io.polycache.store.InsufficientStorageException;
import java.util.concurrent.atomic.LongAdder;

/**
 * What this node knows of the bucket's size, for the hard bound of janitor retention: the usage
 * the janitor last published, plus the bytes this node has stored since it read it. Writes are
 * refused (507) while that sum is past {@code polycache.maxCacheSizeHard}; the janitor's next
 * round publishes a new usage, which resets this node's count.
 */
public class BucketBound {
    /** No bound (lifecycle and none retention). */
    public static final BucketBound NONE = new BucketBound(Long.MAX_VALUE) {
        @Override
        void admit() {}

        @Override
        void wrote(long bytes) {}
    };

    private final long hardLimit;
    private final LongAdder ownSince = new LongAdder();
    private long usage; // guarded by this
    private long measuredMillis = Long.MIN_VALUE; // guarded by this

    public BucketBound(long hardLimit) {
        this.hardLimit = hardLimit;
    }

    /** Refuses a write while the bucket is known to be past the hard bound. */
    void admit() {
        long used = estimate();
        if (used > hardLimit) {
            throw InsufficientStorageException.bucketFull(used, hardLimit);
        }
    }

    void wrote(long bytes) {
        ownSince.add(bytes);
    }

    /** A usage the janitor published (or, on the janitor, found), measured at {@code measuredMillis}. */
    synchronized void measured(long bytes, long measuredMillis) {
        if (measuredMillis > this.measuredMillis) {
            this.usage = bytes;
            this.measuredMillis = measuredMillis;
            ownSince.reset();
        }
    }

    /** The bucket's bytes as last measured, or -1 before any measurement is known. */
    public synchronized long lastMeasured() {
        return measuredMillis == Long.MIN_VALUE ? -1 : usage;
    }

    /** The last measurement plus this node's writes since. */
    public synchronized long estimate() {
        return usage + ownSince.sum();
    }

    public long hardLimit() {
        return hardLimit;
    }
}
