package io.polycache.store.s3;

import io.polycache.bundle.BundleIndex;
import io.polycache.bundle.IndexCodec;
import io.polycache.config.RetentionSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Janitor retention: keeps the bucket under {@code polycache.maxCacheSize} by deleting the least
 * recently used entries (oldest {@code Last-Modified} first; {@link Touches} makes it the last
 * use), one node at a time.
 *
 * <p><b>The lease.</b> The janitor is the node holding the newest lease object
 * {@code <prefix>janitor/lease-<generation>} that has not expired. A lease is taken or renewed
 * by creating the next generation with {@code If-None-Match: *}: of several nodes creating it,
 * exactly one succeeds, so two nodes never both believe they took the same generation. The
 * holder renews every third of {@code polycache.s3.janitorLease} (and checks before each batch
 * of deletions that it still may); the others look every tick and take the next generation only
 * once the newest has expired. A janitor that dies stops renewing, and another node takes over
 * one lease duration later; a node that stops cleanly writes an already expired generation, so
 * that another takes over at once. Expiry is judged by each node's clock: keep the clocks in
 * sync (NTP) to within a small part of the lease.
 *
 * <p><b>A round</b> (every {@code polycache.s3.janitorInterval} on the holder): lists
 * {@code <prefix>entries/}, sums the sizes, deletes the entries with the oldest
 * {@code Last-Modified} in batches until the rest is under the bound, and publishes the usage
 * it leaves in {@code <prefix>janitor/usage}. Every node reads that object each tick: its
 * {@link BucketBound} refuses writes while the usage plus the node's own writes since are past
 * {@code polycache.maxCacheSizeHard}. Deleting an entry never breaks a reader: a read under way
 * keeps its GET, a later one is a miss, and the build stores the entry again.
 */
public final class Janitor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Janitor.class.getName());
    static final int DELETE_BATCH = 100;
    /** {@code maxBytes} of a janitor that evicts nothing and only sweeps blobs (lifecycle retention). */
    public static final long SWEEP_ONLY = -1;

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final long maxBytes;
    private final long intervalMillis;
    private final long leaseMillis;
    private final long graceMillis;
    /** The blobs each index references, by the index's object name (indexes are write-once). */
    private final Map<String, List<String>> indexBlobs = new HashMap<>();
    private final AtomicLong sweptBlobs = new AtomicLong();
    private final BucketBound bound;
    private final LongSupplier clock;
    private final String nodeId;
    private final Thread thread;
    private volatile boolean running = true;

    // The lease this node holds: its generation and expiry (-1: none). Only the janitor thread writes.
    private volatile long heldGeneration = -1;
    private volatile long heldUntil;
    private long renewedAt;
    private long lastRoundAt = Long.MIN_VALUE;

    private final AtomicLong rounds = new AtomicLong();
    private final AtomicLong evictedEntries = new AtomicLong();
    private final AtomicLong evictedBytes = new AtomicLong();
    private volatile double lastRoundSeconds;
    private volatile long lastFound = -1;

    /**
     * @param maxBytes the bound to evict down to, or {@link #SWEEP_ONLY} (lifecycle retention:
     *                 the rounds only sweep unreferenced blobs)
     */
    public Janitor(S3Client s3, String bucket, String prefix, long maxBytes, RetentionSettings retention,
            BucketBound bound) {
        this(s3, bucket, prefix, maxBytes, retention.janitorInterval(), retention.janitorLease(),
                retention.blobGrace(), bound, System::currentTimeMillis);
    }

    Janitor(S3Client s3, String bucket, String prefix, long maxBytes, Duration interval, Duration lease,
            Duration blobGrace, BucketBound bound, LongSupplier clock) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.maxBytes = maxBytes;
        this.intervalMillis = interval.toMillis();
        this.leaseMillis = lease.toMillis();
        this.graceMillis = blobGrace.toMillis();
        this.bound = bound;
        this.clock = clock;
        this.nodeId = nodeName() + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.thread = new Thread(this::run, "polycache-s3-janitor");
        this.thread.setDaemon(true);
    }

    private static String nodeName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "_");
        } catch (java.io.IOException e) {
            return "node";
        }
    }

    public void start() {
        thread.start();
    }

    /** This node's id in lease objects and the log. */
    public String nodeId() {
        return nodeId;
    }

    /** Whether this node holds the lease (is the janitor) now. */
    public boolean holdsLease() {
        return heldGeneration >= 0 && clock.getAsLong() < heldUntil;
    }

    public long rounds() {
        return rounds.get();
    }

    public long evictedEntries() {
        return evictedEntries.get();
    }

    public long evictedBytes() {
        return evictedBytes.get();
    }

    /** Dependency blobs no index referenced, older than the grace period, deleted by this node. */
    public long sweptBlobs() {
        return sweptBlobs.get();
    }

    /** How long the last round on this node took, in seconds (0 before any). */
    public double lastRoundSeconds() {
        return lastRoundSeconds;
    }

    /** Bytes under the entries prefix the last round on this node found, before deleting (-1 before any). */
    public long lastFound() {
        return lastFound;
    }

    /** The time between looks at the lease and the published usage. */
    long tickMillis() {
        return Math.max(200, Math.min(intervalMillis, leaseMillis / 3));
    }

    private void run() {
        while (running) {
            try {
                tick();
            } catch (RuntimeException e) {
                LOG.warning("Janitor: " + S3EntryStore.describe(e));
            }
            try {
                Thread.sleep(tickMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    void tick() {
        long now = clock.getAsLong();
        if (holdsLease()) {
            renewIfDue();
        } else {
            tryTakeLease();
        }
        if (holdsLease()) {
            if (lastRoundAt == Long.MIN_VALUE || clock.getAsLong() - lastRoundAt >= intervalMillis) {
                lastRoundAt = clock.getAsLong();
                round();
            }
        } else {
            readUsage();
        }
    }

    // ---- the lease ----

    private String leaseName(long generation) {
        return prefix + "janitor/lease-" + String.format("%019d", generation);
    }

    /** How many times a node lists the leases again when the newest it listed is gone. */
    private static final int LOOKS = 3;

    /**
     * The newest lease generation and its content, or null when there is none.
     *
     * @throws IllegalStateException when the newest generation listed was gone each time it was
     *     read: the holder renewed between the listing and the read (it deletes older generations
     *     as it does); the tick is skipped rather than a lease taken on a stale listing
     */
    private Lease newestLease() {
        for (int look = 1; look <= LOOKS; look++) {
            long generation = newestGeneration();
            if (generation < 0) {
                return null;
            }
            String body;
            try {
                body = s3.getObjectAsBytes(b -> b.bucket(bucket).key(leaseName(generation))).asUtf8String();
            } catch (S3Exception e) {
                if (e.statusCode() == 404) {
                    continue; // deleted since the listing: newer generations exist; look again
                }
                throw e;
            }
            return lease(generation, parse(body));
        }
        throw new IllegalStateException("the newest lease listed was gone " + LOOKS + " times in a row; trying again next tick");
    }

    private long newestGeneration() {
        List<S3Object> leases = s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix + "janitor/lease-"))
                .contents().stream().toList();
        long newest = -1;
        for (S3Object object : leases) {
            try {
                newest = Math.max(newest, Long.parseLong(object.key().substring((prefix + "janitor/lease-").length())));
            } catch (NumberFormatException e) {
                // not a lease of ours
            }
        }
        return newest;
    }

    private static Lease lease(long generation, Map<String, String> fields) {
        long expires;
        try {
            expires = Long.parseLong(fields.getOrDefault("expires", "0"));
        } catch (NumberFormatException e) {
            expires = 0;
        }
        return new Lease(generation, fields.getOrDefault("holder", ""), expires);
    }

    private record Lease(long generation, String holder, long expires) {}

    private void tryTakeLease() {
        Lease lease = newestLease();
        long now = clock.getAsLong();
        if (lease != null && lease.holder().equals(nodeId) && now < lease.expires()) {
            held(lease.generation(), lease.expires(), now); // ours (an answer lost on the way)
            return;
        }
        if (lease != null && now < lease.expires()) {
            return; // another node is the janitor
        }
        long generation = lease == null ? 0 : lease.generation() + 1;
        if (create(generation, now + leaseMillis) && confirmed(generation)) {
            LOG.info("Janitor: this node (" + nodeId + ") took the lease" + (lease == null || lease.holder().isEmpty()
                    ? "" : " after " + lease.holder() + "'s expired"));
            held(generation, now + leaseMillis, now);
            lastRoundAt = Long.MIN_VALUE;
        }
    }

    /**
     * Whether the lease just created is the newest, and ours. A listing that missed the newest
     * generations (older ones are deleted as the holder renews) would have this node create a
     * generation number the holder already left behind; a store whose conditional PUT is not
     * atomic could let two nodes create the same one. Either way the holder's lease is the newer
     * or the other's, and this node stands back.
     */
    private boolean confirmed(long generation) {
        Lease newest = newestLease();
        if (newest != null && newest.generation() == generation && newest.holder().equals(nodeId)) {
            return true;
        }
        LOG.info("Janitor: this node (" + nodeId + ") created lease generation " + generation + " but "
                + (newest == null ? "found none" : newest.holder() + "'s generation " + newest.generation())
                + " is the lease; it stands back");
        if (newest != null && newest.generation() > generation) {
            deleteQuietly(leaseName(generation)); // left behind the holder's: nobody reads it
        }
        return false;
    }

    private void held(long generation, long until, long now) {
        heldGeneration = generation;
        heldUntil = until;
        renewedAt = now;
    }

    /** Renews the lease when a third of it has passed; false when it is lost. */
    private boolean renewIfDue() {
        long now = clock.getAsLong();
        if (now - renewedAt < leaseMillis / 3) {
            return now < heldUntil;
        }
        long generation = heldGeneration + 1;
        if (now < heldUntil && create(generation, now + leaseMillis)) {
            long old = heldGeneration;
            held(generation, now + leaseMillis, now);
            deleteQuietly(leaseName(old - 1)); // keep the last two generations, for the record
            return true;
        }
        LOG.warning("Janitor: this node (" + nodeId + ") lost the lease");
        heldGeneration = -1;
        return false;
    }

    /** Creates a lease generation; false when another node created it first. */
    private boolean create(long generation, long expires) {
        String body = "holder=" + nodeId + "\nexpires=" + expires + "\n";
        try {
            s3.putObject(b -> b.bucket(bucket).key(leaseName(generation)).ifNoneMatch("*")
                    .contentType("text/plain"), RequestBody.fromString(body, StandardCharsets.UTF_8));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                return false;
            }
            throw e;
        }
    }

    // ---- the round ----

    private record Listed(String key, long size, long lastModified) {}

    private boolean evicts() {
        return maxBytes != SWEEP_ONLY;
    }

    private List<Listed> list(String area) {
        List<Listed> listed = new ArrayList<>();
        for (var page : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix + area))) {
            for (S3Object object : page.contents()) {
                listed.add(new Listed(object.key(), object.size(), object.lastModified().toEpochMilli()));
            }
            if (!renewIfDue()) {
                throw new LeaseLost();
            }
        }
        return listed;
    }

    private static final class LeaseLost extends RuntimeException {
        LeaseLost() {
            super("lease lost", null, false, false);
        }
    }

    /**
     * One round. Deletion order keeps every bundle whole: an index goes before the blobs that it
     * alone referenced, and those before its ZIP; a blob referenced by an index that exists is
     * never deleted (so a ZIP can always be rebuilt while its index exists), and an unreferenced
     * blob only once older than the grace period (an install in flight uploads its blobs before
     * it commits its index). Dying anywhere in between leaves at worst unreferenced blobs or a
     * ZIP without an index, which later rounds sweep.
     */
    void round() {
        try {
            runRound();
        } catch (LeaseLost e) {
            LOG.info("Janitor: round abandoned, the lease was lost");
        }
    }

    private void runRound() {
        long started = System.nanoTime();
        long measuredAt = clock.getAsLong();
        List<Listed> entries = evicts() ? list("entries/") : List.of();
        List<Listed> indexes = list("indexes/");
        List<Listed> bundles = list("bundles/");
        List<Listed> objects = list("objects/");
        Map<String, Listed> blobsBySha = new HashMap<>();
        for (Listed blob : objects) {
            blobsBySha.put(blob.key().substring((prefix + "objects/").length()), blob);
        }
        Map<String, Listed> zips = new HashMap<>();
        for (Listed zip : bundles) {
            zips.put(zip.key(), zip);
        }
        Map<String, Integer> references = references(indexes);
        long total = 0;
        for (List<Listed> area : List.of(entries, indexes, bundles, objects)) {
            for (Listed object : area) {
                total += object.size();
            }
        }
        long found = total;
        Deletions deletions = new Deletions();
        if (evicts() && total > maxBytes) {
            List<Listed> candidates = new ArrayList<>(entries);
            candidates.addAll(indexes);
            candidates.addAll(bundles);
            candidates.sort(Comparator.comparingLong(Listed::lastModified).thenComparing(Listed::key));
            String indexArea = prefix + "indexes/";
            for (Listed candidate : candidates) {
                if (total <= maxBytes) {
                    break;
                }
                if (candidate.key().startsWith(indexArea) && references != null) {
                    if (!indexBlobs.containsKey(candidate.key())) {
                        continue; // unreadable just now: left for a later round
                    }
                    deletions.flush();
                    total -= deletions.now(candidate); // the index first: its bundle is gone from then on
                    for (String sha : indexBlobs.remove(candidate.key())) {
                        Listed blob = blobsBySha.get(sha);
                        if (references.merge(sha, -1, Integer::sum) <= 0 && blob != null && old(blob)) {
                            blobsBySha.remove(sha);
                            total -= deletions.add(blob);
                        }
                    }
                    deletions.flush(); // then the blobs it alone held
                    String hash = candidate.key().substring(indexArea.length()).split("\\.", 2)[0];
                    Listed zip = zips.remove(prefix + "bundles/" + hash + ".zip");
                    if (zip != null) {
                        total -= deletions.add(zip); // then its ZIP
                    }
                } else if (!candidate.key().startsWith(indexArea)) {
                    if (zips.remove(candidate.key()) != null || !candidate.key().startsWith(prefix + "bundles/")) {
                        total -= deletions.add(candidate);
                    }
                }
            }
            deletions.flush();
            evictedEntries.addAndGet(deletions.deleted);
            evictedBytes.addAndGet(deletions.deletedBytes);
        }
        if (references != null) {
            Deletions sweep = new Deletions();
            for (var blob : blobsBySha.entrySet()) {
                if (references.getOrDefault(blob.getKey(), 0) <= 0 && old(blob.getValue())) {
                    total -= sweep.add(blob.getValue());
                }
            }
            sweep.flush();
            sweptBlobs.addAndGet(sweep.deleted);
        }
        if (evicts()) {
            publish(found, total, entries.size(), measuredAt);
            bound.measured(total, measuredAt);
        }
        lastFound = found;
        rounds.incrementAndGet();
        lastRoundSeconds = (System.nanoTime() - started) / 1e9;
        LOG.fine("Janitor round: " + entries.size() + " entries, " + indexes.size() + " indexes, " + bundles.size()
                + " ZIPs, " + objects.size() + " blobs; " + found + " bytes found, " + total + " left, in "
                + lastRoundSeconds + " s");
    }

    private boolean old(Listed blob) {
        return clock.getAsLong() - blob.lastModified() > graceMillis;
    }

    /**
     * How many indexes reference each blob, reading the indexes this node has not read yet; null
     * when one could not be read (then no blob is deleted this round: its references are unknown).
     */
    private Map<String, Integer> references(List<Listed> indexes) {
        Map<String, Integer> references = new HashMap<>();
        java.util.Set<String> present = new java.util.HashSet<>();
        boolean complete = true;
        for (Listed index : indexes) {
            present.add(index.key());
            List<String> blobs = indexBlobs.get(index.key());
            if (blobs == null) {
                // Read at once and closed here, so without the SDK's unread-stream timeout, whose
                // JVM-wide scheduler thread would outlive the web application (a leak on undeploy).
                try (var in = s3.getObject(b -> b.bucket(bucket).key(index.key()),
                        ResponseTransformer.toInputStream(Duration.ZERO))) {
                    blobs = BundleIndex.blobsOf(IndexCodec.read(in).entries());
                    indexBlobs.put(index.key(), blobs);
                } catch (S3Exception e) {
                    if (e.statusCode() == 404) {
                        continue; // deleted meanwhile
                    }
                    complete = false;
                    continue;
                } catch (java.io.IOException | RuntimeException e) {
                    LOG.warning("Janitor: cannot read index " + index.key() + " (" + e.getMessage()
                            + "); no blob is deleted this round");
                    complete = false;
                    continue;
                }
            }
            for (String sha : blobs) {
                references.merge(sha, 1, Integer::sum);
            }
        }
        indexBlobs.keySet().retainAll(present);
        return complete ? references : null;
    }

    /** Deletions in batches of {@link #DELETE_BATCH}; each add returns the bytes it frees. */
    private final class Deletions {
        private final List<Listed> batch = new ArrayList<>();
        long deleted;
        long deletedBytes;

        long add(Listed object) {
            batch.add(object);
            if (batch.size() == DELETE_BATCH) {
                flush();
            }
            return object.size();
        }

        /** Deletes one object at once (an index: nothing of its bundle goes before it). */
        long now(Listed object) {
            if (!renewIfDue()) {
                throw new LeaseLost();
            }
            s3.deleteObject(b -> b.bucket(bucket).key(object.key()));
            deleted++;
            deletedBytes += object.size();
            return object.size();
        }

        void flush() {
            if (batch.isEmpty()) {
                return;
            }
            if (!renewIfDue()) {
                throw new LeaseLost();
            }
            long before = batch.stream().mapToLong(Listed::size).sum();
            long[] notDeleted = delete(batch);
            deleted += batch.size() - notDeleted[1];
            deletedBytes += before - notDeleted[0];
            batch.clear();
        }
    }

    /** Deletes a batch; returns the bytes and the number of those it could not delete. */
    private long[] delete(List<Listed> batch) {
        Map<String, Long> sizes = new HashMap<>();
        List<ObjectIdentifier> ids = new ArrayList<>();
        for (Listed entry : batch) {
            sizes.put(entry.key(), entry.size());
            ids.add(ObjectIdentifier.builder().key(entry.key()).build());
        }
        DeleteObjectsResponse response = s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(ids).quiet(true)));
        long[] notDeleted = new long[2];
        for (var error : response.errors()) {
            Long size = sizes.remove(error.key());
            if (size != null) {
                notDeleted[0] += size;
                notDeleted[1]++;
                LOG.warning("Janitor: could not delete " + error.key() + ": " + error.code());
            }
        }
        return notDeleted;
    }

    private void publish(long found, long left, int entries, long measuredAt) {
        String body = "bytes=" + left + "\nfound=" + found + "\nentries=" + entries + "\nmeasured=" + measuredAt
                + "\nholder=" + nodeId + "\n";
        s3.putObject(b -> b.bucket(bucket).key(prefix + "janitor/usage").contentType("text/plain"),
                RequestBody.fromString(body, StandardCharsets.UTF_8));
    }

    /** Reads the usage the janitor published, for this node's hard bound. */
    void readUsage() {
        Map<String, String> fields;
        try {
            fields = parse(s3.getObjectAsBytes(b -> b.bucket(bucket).key(prefix + "janitor/usage")).asUtf8String());
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return; // no round yet
            }
            throw e;
        }
        try {
            bound.measured(Long.parseLong(fields.get("bytes")), Long.parseLong(fields.get("measured")));
        } catch (NumberFormatException | NullPointerException e) {
            LOG.warning("Janitor: " + prefix + "janitor/usage is not a usage record");
        }
    }

    private static Map<String, String> parse(String text) {
        Map<String, String> fields = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                fields.put(line.substring(0, eq), line.substring(eq + 1).trim());
            }
        }
        return fields;
    }

    private void deleteQuietly(String name) {
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(name));
        } catch (SdkException e) {
            // an old lease generation: harmless where it is
        }
    }

    /** Stops; a holder hands the lease over at once by writing an expired generation. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (holdsLease()) {
            try {
                create(heldGeneration + 1, 0);
            } catch (SdkException e) {
                // it expires by itself
            }
            heldGeneration = -1;
        }
    }
}
