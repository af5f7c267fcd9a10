package io.polycache.store.s3;

import io.polycache.store.EntryKey;
import io.polycache.store.EntryMeta;
import io.polycache.store.EntryStore;
import io.polycache.store.EntryVerifier;
import io.polycache.store.StorageDirectory;
import io.polycache.store.Namespace;
import io.polycache.store.OpenEntry;
import io.polycache.store.Sha256;
import io.polycache.store.fs.EntryFile;
import io.polycache.store.fs.FsEntryStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * A node of several over one bucket: the bucket ({@link S3EntryStore}) is the only source of
 * truth, and the node's filesystem store is a bounded local tier in front of it, filled on
 * reads and never the place a write is acknowledged from.
 *
 * <p>A put goes to the bucket (verified in the node's temp area first) and then drops the
 * node's local copy of the key. A read served from the local tier makes no S3 request. On a
 * local miss one GET streams the object into a temp file of the local tier, and every reader of
 * the key on this node (the first and any that arrive meanwhile) streams from that file as it
 * grows: concurrent misses of one key share one GET. The file is committed to the local tier
 * only when its SHA-256 matched the object's metadata, and each reader's last bytes are held
 * back until then, so a damaged or broken-off object never reaches a client as a whole
 * response.
 *
 * <p>What another node replaced under a replace namespace may be served from this node's local
 * tier until it is evicted there: any body stored under such a key is a valid answer for it.
 */
public final class TieredEntryStore implements EntryStore, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TieredEntryStore.class.getName());
    private static final int STRIPES = 1024;
    private static final int CHUNK = 64 * 1024;

    private final FsEntryStore local;
    private final StorageDirectory localFiles;
    private final S3EntryStore remote;
    private final ConcurrentHashMap<String, Fill> fills = new ConcurrentHashMap<>();
    /** Bumped by each put and delete of a key in the stripe: a fill begun before does not commit. */
    private final long[] stamps = new long[STRIPES];
    private final Object[] locks = new Object[STRIPES];
    private final LongAdder fetches = new LongAdder();
    private final ExecutorService fillers = Executors.newCachedThreadPool(new java.util.concurrent.ThreadFactory() {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "polycache-s3-fill-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    });

    /**
     * @param local      the local tier (bounded by its ledger)
     * @param localFiles the local tier's storage, whose temp area holds fills
     */
    public TieredEntryStore(FsEntryStore local, StorageDirectory localFiles, S3EntryStore remote) {
        this.local = local;
        this.localFiles = localFiles;
        this.remote = remote;
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    public S3EntryStore remote() {
        return remote;
    }

    /** S3 GETs started for local misses since start (one per key however many readers share it). */
    public long fetches() {
        return fetches.sum();
    }

    @Override
    public Stored put(Namespace namespace, EntryKey key, InputStream body, long declaredLength,
            EntryVerifier verifier, Map<String, String> headers) throws IOException {
        Stored stored = remote.put(namespace, key, body, declaredLength, verifier, headers);
        if (stored.created()) {
            forget(namespace, key); // a replace namespace's old body must not be served from here
        }
        return stored;
    }

    @Override
    public Optional<EntryMeta> head(Namespace namespace, EntryKey key) throws IOException {
        Optional<EntryMeta> meta = local.head(namespace, key);
        if (meta.isPresent()) {
            remote.used(namespace, key);
            return meta;
        }
        return remote.head(namespace, key);
    }

    @Override
    public Optional<OpenEntry> open(Namespace namespace, EntryKey key) throws IOException {
        boolean reported = false; // this read's use was reported by the bucket GET of a fill it waited for
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<OpenEntry> hit = local.open(namespace, key);
            if (hit.isPresent()) {
                if (!reported) {
                    remote.used(namespace, key);
                }
                return hit;
            }
            Fill fill = fillOf(namespace, key);
            Optional<EntryMeta> meta = fill.awaitMeta();
            if (meta.isEmpty()) {
                return Optional.empty();
            }
            reported = true;
            OpenEntry reader = fill.reader();
            if (reader != null) {
                return Optional.of(reader);
            }
            // That fill is over: its entry is in the local tier now, or it failed and a new one starts.
        }
        throw new IOException("could not read " + namespace + "/" + key + ": its local copy kept vanishing");
    }

    @Override
    public boolean delete(Namespace namespace, EntryKey key) throws IOException {
        forget(namespace, key);
        return remote.delete(namespace, key);
    }

    /** Drops the node's copy of a key and any fill of it in progress. */
    private void forget(Namespace namespace, EntryKey key) throws IOException {
        String id = id(namespace, key);
        int stripe = stripe(id);
        synchronized (locks[stripe]) {
            stamps[stripe]++;
            fills.remove(id);
            local.delete(namespace, key);
        }
    }

    /** The fill of a key in progress, joined, or a new one, started. */
    private Fill fillOf(Namespace namespace, EntryKey key) {
        String id = id(namespace, key);
        int stripe = stripe(id);
        Fill fill;
        boolean started = false;
        synchronized (locks[stripe]) {
            fill = fills.get(id);
            if (fill == null) {
                fill = new Fill(namespace, key, id, stamps[stripe]);
                fills.put(id, fill);
                started = true;
            }
        }
        if (started) {
            fetches.increment();
            fillers.execute(fill);
        }
        return fill;
    }

    private static String id(Namespace namespace, EntryKey key) {
        return namespace.name() + '/' + key.value();
    }

    private static int stripe(String id) {
        return Math.floorMod(id.hashCode(), STRIPES);
    }

    /**
     * One scrub pass over the local tier ({@link io.polycache.store.Scrubber}): its copies are
     * served as a single node's entries are (the large write-once ones sent unchecked), so they
     * are read back and checked the same way. A damaged copy is removed; the next read of the key
     * fetches the object again, verified as it arrives.
     */
    public void scrub(io.polycache.store.Scrubber.Pace pace) throws IOException, InterruptedException {
        local.scrub(pace);
    }

    @Override
    public void close() {
        fillers.shutdownNow();
        remote.close();
        local.close();
    }

    /**
     * One GET of an object into a temp file of the local tier, shared by every reader of the key
     * that arrives while it runs, and committed to the local tier once verified.
     */
    private final class Fill implements Runnable {
        private final Namespace namespace;
        private final EntryKey key;
        private final String id;
        private final long stamp;
        private final CompletableFuture<Optional<EntryMeta>> meta = new CompletableFuture<>();
        private Path temp;
        private FileChannel channel;
        // Guarded by this:
        private long written;
        private boolean verified;
        private IOException failure;
        private int users = 1; // the filler itself
        private boolean closed;

        Fill(Namespace namespace, EntryKey key, String id, long stamp) {
            this.namespace = namespace;
            this.key = key;
            this.id = id;
            this.stamp = stamp;
        }

        /**
         * Fetches, verifies and commits to the local tier before releasing the readers' last
         * bytes: when a read completes, the next one of the key on this node is a local hit.
         */
        @Override
        public void run() {
            boolean whole = false;
            Object write = local.beginWrite(); // before the temp file exists: no fsync, a checkpoint covers it
            try (S3EntryStore.Fetched fetched = remote.fetch(namespace, key).orElse(null)) {
                if (fetched == null) {
                    meta.complete(Optional.empty());
                    return;
                }
                temp = localFiles.newTempFile(".fill");
                channel = FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE);
                meta.complete(Optional.of(fetched.meta()));
                copy(fetched);
                commit(fetched.meta());
                whole = true;
            } catch (Throwable e) {
                if (!meta.completeExceptionally(e)) {
                    fail(e);
                }
                if (!(e instanceof io.polycache.store.StoreUnavailableException)
                        && !(e instanceof java.nio.channels.ClosedByInterruptException)) {
                    LOG.warning("Could not fetch " + id + " into the local tier: " + e);
                }
            } finally {
                local.endWrite(write);
                fills.remove(id, this);
                release();
                if (whole) {
                    synchronized (this) {
                        verified = true;
                        notifyAll();
                    }
                }
            }
        }

        private void copy(S3EntryStore.Fetched fetched) throws IOException {
            EntryMeta entry = fetched.meta();
            MessageDigest sha = Sha256.newDigest();
            byte[] chunk = new byte[CHUNK];
            InputStream in = fetched.body();
            long position = 0;
            while (true) {
                int n;
                try {
                    n = in.read(chunk);
                } catch (IOException | RuntimeException e) {
                    // The bucket went away mid-body: a reader not yet answered gets 503, not 500.
                    throw new io.polycache.store.StoreUnavailableException(
                            "The shared store is unavailable: reading " + id + " broke off: " + e.getMessage(), e);
                }
                if (n < 0) {
                    break;
                }
                if (position + n > entry.size()) {
                    throw new IOException("object is longer than its metadata says");
                }
                sha.update(chunk, 0, n);
                ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, n);
                while (buffer.hasRemaining()) {
                    position += channel.write(buffer, position);
                }
                synchronized (this) {
                    written = position;
                    notifyAll();
                }
            }
            String digest = HexFormat.of().formatHex(sha.digest());
            if (position != entry.size() || !digest.equals(entry.sha256())) {
                remote.removeDamaged(namespace, key);
                throw new S3EntryStore.DamagedObjectException("object damaged: " + position + " bytes with SHA-256 " + digest + ", its metadata says "
                        + entry.size() + " bytes with " + entry.sha256());
            }
        }

        /** Appends the entry file's metadata and commits it, unless a put or delete came since. */
        private void commit(EntryMeta entry) throws IOException {
            ByteBuffer trailer = EntryFile.trailer(entry);
            long fileSize = entry.size() + trailer.remaining();
            long position = entry.size();
            while (trailer.hasRemaining()) {
                position += channel.write(trailer, position);
            }
            int stripe = stripe(id);
            synchronized (locks[stripe]) {
                if (stamps[stripe] == stamp) {
                    local.adopt(namespace, key, temp, entry, fileSize);
                }
            }
        }

        private synchronized void fail(Throwable e) {
            failure = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
            notifyAll();
        }

        Optional<EntryMeta> awaitMeta() throws IOException {
            try {
                return meta.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while fetching " + id);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException runtime) {
                    throw runtime;
                }
                if (cause instanceof IOException io) {
                    throw new IOException(io.getMessage(), io);
                }
                throw new IOException("fetching " + id + " failed", cause);
            }
        }

        /** A reader of this fill, or null when it is over and its file closed. */
        synchronized OpenEntry reader() {
            if (closed) {
                return null;
            }
            users++;
            return new Reader(this, meta.getNow(Optional.empty()).orElseThrow());
        }

        synchronized void release() {
            if (--users > 0 || closed) {
                return;
            }
            closed = true;
            try {
                if (channel != null) {
                    channel.close();
                }
                if (temp != null) {
                    Files.deleteIfExists(temp);
                }
            } catch (IOException e) {
                LOG.warning("Could not remove the fill file " + temp + ": " + e.getMessage());
            }
        }

        /**
         * Waits until bytes past {@code position} may be sent and returns how far: everything
         * written, except the last byte before the whole body is verified.
         */
        synchronized long readable(long position, long size) throws IOException {
            while (true) {
                if (failure != null) {
                    throw new IOException("fetching " + id + " from the shared store failed: " + failure.getMessage(), failure);
                }
                long limit = verified ? size : Math.min(written, size - 1);
                if (limit > position || (verified && position >= size)) {
                    return limit;
                }
                try {
                    wait(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading " + id);
                }
            }
        }
    }

    /** One client's read of a fill: follows the temp file as it grows. */
    private static final class Reader implements OpenEntry {
        private final Fill fill;
        private final EntryMeta meta;
        private boolean closed;

        Reader(Fill fill, EntryMeta meta) {
            this.fill = fill;
            this.meta = meta;
        }

        @Override
        public EntryMeta meta() {
            return meta;
        }

        @Override
        public void transferTo(OutputStream out) throws IOException {
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
            long position = 0;
            long size = meta.size();
            while (position < size || size == 0) {
                long limit = fill.readable(position, size);
                while (position < limit) {
                    buffer.clear().limit((int) Math.min(buffer.capacity(), limit - position));
                    int n = fill.channel.read(buffer, position);
                    if (n < 0) {
                        throw new IOException("fill file ended at " + position + " of " + size);
                    }
                    out.write(buffer.array(), 0, n);
                    position += n;
                }
                if (size == 0) {
                    return;
                }
            }
        }

        @Override
        public Optional<Path> file() {
            return Optional.empty();
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                fill.release();
            }
        }
    }
}
