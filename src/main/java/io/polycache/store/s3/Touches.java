package io.polycache.store.s3;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Makes an object's {@code Last-Modified} mean "last used": every use of an entry (a hit in the
 * local tier or in the bucket, by any protocol) is reported here, and an object last refreshed
 * more than {@code touchAfter} ago is copied onto itself in the background, which sets its
 * {@code Last-Modified} to now. Lifecycle rules and the janitor then delete by last use.
 *
 * <p>The copy keeps what a reader gets: same bytes (it is a server-side copy of the object onto
 * itself), and the user metadata (SHA-256, size, creation time, replayed headers, writer) and
 * content type read by a HEAD just before, written back unchanged. It is conditional on that
 * HEAD ({@code x-amz-copy-source-if-match} on the ETag and
 * {@code x-amz-copy-source-if-unmodified-since} on the {@code Last-Modified}'s second), so an object
 * replaced or refreshed by another node in between is left alone (412).
 *
 * <p>Throttled three ways: a node remembers when each object was last refreshed (as it saw it in
 * a GET or HEAD, or refreshed it itself) and sends nothing for an object refreshed within
 * {@code touchAfter}; it claims a key for a whole window before its first request, so a key is
 * looked at at most once per window per node however often it is read; one background thread
 * does the requests, from a bounded queue (a use that finds it full is dropped and counted as
 * skipped). Across the fleet, a node whose knowledge is stale HEADs first and finds the refresh
 * another node made: a key is copied about once per window in all, at most once per node.
 */
public final class Touches implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Touches.class.getName());
    /** S3 copies at most 5 GiB in one CopyObject; larger objects are not refreshed (and said so). */
    static final long MAX_COPY = 5L << 30;
    /** Objects whose last refresh the node remembers; past this the least recently used are forgotten. */
    private static final int REMEMBERED = 200_000;
    private static final int QUEUE = 10_000;

    /** No refreshes at all ({@code polycache.s3.retention=none}). */
    public static final Touches NONE = new Touches();

    private final S3Client s3;
    private final String bucket;
    private final long touchAfterMillis;
    private final LongSupplier clock;
    private final ThreadPoolExecutor worker;
    /** Object name to the time its last refresh is known (or was claimed) by this node, access order. */
    private final Map<String, Long> refreshed = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > REMEMBERED;
        }
    };
    private final LongAdder done = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final LongAdder failed = new LongAdder();

    private Touches() {
        this.s3 = null;
        this.bucket = null;
        this.touchAfterMillis = Long.MAX_VALUE;
        this.clock = System::currentTimeMillis;
        this.worker = null;
    }

    public Touches(S3Client s3, String bucket, Duration touchAfter) {
        this(s3, bucket, touchAfter, System::currentTimeMillis);
    }

    Touches(S3Client s3, String bucket, Duration touchAfter, LongSupplier clock) {
        this.s3 = s3;
        this.bucket = bucket;
        this.touchAfterMillis = touchAfter.toMillis();
        this.clock = clock;
        this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), task -> {
            Thread thread = new Thread(task, "polycache-s3-touch");
            thread.setDaemon(true);
            return thread;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** Refreshes done (copies of an object onto itself) since start. */
    public long done() {
        return done.sum();
    }

    /** Uses that needed no refresh (refreshed within the window, by this node or another) or were dropped. */
    public long skipped() {
        return skipped.sum();
    }

    /** Refreshes that failed (the bucket did not answer); the key is tried again in the next window. */
    public long failed() {
        return failed.sum();
    }

    /** An object was written or refreshed at {@code millis}: uses within the window need nothing. */
    void seen(String name, long millis) {
        if (worker == null) {
            return;
        }
        synchronized (refreshed) {
            Long known = refreshed.get(name);
            if (known == null || known < millis) {
                refreshed.put(name, millis);
            }
        }
    }

    /** Whether uses are recorded at all ({@link #used} does nothing otherwise). */
    boolean active() {
        return worker != null;
    }

    /**
     * An entry was used. {@code lastModified} is the object's as the read that used it saw it
     * (null for a local-tier hit, which made no S3 request).
     */
    void used(String name, Instant lastModified) {
        if (worker == null) {
            return;
        }
        long now = clock.getAsLong();
        synchronized (refreshed) {
            Long known = refreshed.get(name);
            long latest = Math.max(known == null ? Long.MIN_VALUE : known,
                    lastModified == null ? Long.MIN_VALUE : lastModified.toEpochMilli());
            if (latest != Long.MIN_VALUE && now - latest < touchAfterMillis) {
                if (known == null || known < latest) {
                    refreshed.put(name, latest);
                }
                skipped.increment();
                return;
            }
            refreshed.put(name, now); // claims the window: no other request for it from this node
        }
        try {
            worker.execute(() -> refresh(name));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            forget(name);
            skipped.increment();
        }
    }

    private void forget(String name) {
        synchronized (refreshed) {
            refreshed.remove(name);
        }
    }

    private void refresh(String name) {
        HeadObjectResponse head;
        try {
            head = s3.headObject(b -> b.bucket(bucket).key(name));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                forget(name); // deleted meanwhile: nothing to refresh
                skipped.increment();
                return;
            }
            failedOn(name, e);
            return;
        } catch (SdkException e) {
            failedOn(name, e);
            return;
        }
        Instant modified = head.lastModified();
        long now = clock.getAsLong();
        if (modified != null && now - modified.toEpochMilli() < touchAfterMillis) {
            skipped.increment(); // another node refreshed it within the window
            return;
        }
        if (head.contentLength() != null && head.contentLength() > MAX_COPY) {
            LOG.fine("Not refreshing " + name + ": larger than one CopyObject copies");
            skipped.increment();
            return;
        }
        try {
            s3.copyObject(b -> {
                b.sourceBucket(bucket).sourceKey(name).destinationBucket(bucket).destinationKey(name)
                        .metadataDirective(MetadataDirective.REPLACE).metadata(head.metadata());
                if (head.contentType() != null) {
                    b.contentType(head.contentType());
                }
                if (head.eTag() != null) {
                    b.copySourceIfMatch(head.eTag());
                }
                if (modified != null) {
                    // Last-Modified is given in whole seconds, the store may keep more (S3Proxy
                    // does): the same second is no change. Another node's refresh or a replacing
                    // write comes at least touchAfter (>= 1 s) after this object's time.
                    b.copySourceIfUnmodifiedSince(modified.plusSeconds(1));
                }
            });
            done.increment();
            seen(name, clock.getAsLong());
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 404) {
                skipped.increment(); // replaced, refreshed or deleted since the HEAD
                return;
            }
            failedOn(name, e);
        } catch (SdkException e) {
            failedOn(name, e);
        }
    }

    private void failedOn(String name, Exception e) {
        failed.increment();
        LOG.warning("Could not refresh " + name + ": " + S3EntryStore.describe(e));
        // The claim stays: the key is tried again in the next window, not at the next read.
    }

    @Override
    public void close() {
        if (worker != null) {
            worker.shutdownNow();
        }
    }
}
