package io.polycache.store.s3;

import io.polycache.store.VerifiedCopy;

import io.polycache.store.EntryExistsException;
import io.polycache.store.EntryKey;
import io.polycache.store.EntryMeta;
import io.polycache.store.EntryStore;
import io.polycache.store.EntryVerifier;
import io.polycache.store.StorageDirectory;
import io.polycache.store.Namespace;
import io.polycache.store.OpenEntry;
import io.polycache.store.Sha256;
import io.polycache.store.SpaceLedger;
import io.polycache.store.StoreUnavailableException;
import io.polycache.store.VerifiedWrite;
import io.polycache.store.WritePolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.logging.Logger;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Entries in an S3-compatible bucket, one object each at
 * {@code <prefix>entries/<namespace>/<key>}, with their SHA-256, size, creation time and
 * replayed headers in the object's user metadata (no sidecar: two objects never commit
 * atomically). The bucket is the only source of truth shared by the nodes.
 *
 * <p>A put streams the body into the node's temp area first, where the caller's verifier and the
 * space reservation run as on a single node; only a verified body is sent. Write-once
 * namespaces commit with {@code If-None-Match: *} ({@code PutObject}, or
 * {@code CompleteMultipartUpload} for large bodies), so one writer wins across all nodes; a
 * replace namespace is a plain PUT (the last write wins). When the answer is lost (an I/O error
 * after the request went out, or AWS's {@code 409 ConditionalRequestConflict}), or a refusal
 * might be of this very write (the SDK retries a request whose answer was lost), the outcome is
 * resolved with a HEAD: each put carries a writer id in its metadata.
 *
 * <p>Any S3 failure other than a 404 is a {@link StoreUnavailableException}, never a miss.
 */
public final class S3EntryStore implements EntryStore, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(S3EntryStore.class.getName());
    static final String META_SHA256 = "polycache-sha256";
    static final String META_SIZE = "polycache-size";
    static final String META_CREATED = "polycache-created";
    static final String META_WRITER = "polycache-writer";
    static final String META_HEADERS = "polycache-headers";
    /**
     * Room for the encoded replayed headers: AWS allows 2 KiB of user metadata per object, and
     * the other fields take about 200 bytes.
     */
    static final int MAX_ENCODED_HEADERS = 1600;
    /** Bodies from this size on go up in parts (S3 allows at most 5 GiB in one PUT). */
    public static final long MULTIPART_THRESHOLD = 64L * 1024 * 1024;
    static final long MIN_PART = 16L * 1024 * 1024;
    static final int MAX_PARTS = 10_000;

    /** An object as a HEAD or GET found it: its entry metadata (null if damaged) and who wrote it. */
    record Found(EntryMeta meta, String writer, String damage) {}

    /** An opened object: its metadata and its body, which the caller closes. */
    public record Fetched(EntryMeta meta, InputStream body) implements AutoCloseable {
        @Override
        public void close() {
            try {
                body.close();
            } catch (IOException e) {
                // a read stream: nothing to lose
            }
        }
    }

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final StorageDirectory temp;
    private final SpaceLedger ledger;
    private final S3Health health;
    private final long multipartThreshold;
    private final long minPart;
    /** What lies between the prefix and the namespace: {@code entries/}, or nothing (see {@link #besideEntries}). */
    private final String area;
    private final VerifiedWrite writer;
    /** The GETs of reads, past the SDK's request pipeline; shared with {@link #besideEntries}. */
    private final ObjectGets gets;
    private volatile Touches touches = Touches.NONE;
    private volatile BucketBound bound = BucketBound.NONE;

    /**
     * @param temp   the node's storage, whose temp area holds uploads while they are verified
     * @param ledger the node's space accounting, which pays for those temp files
     */
    public S3EntryStore(S3Client s3, String bucket, String prefix, StorageDirectory temp, SpaceLedger ledger,
            S3Health health) {
        this(s3, bucket, prefix, temp, ledger, health, MULTIPART_THRESHOLD, MIN_PART);
    }

    /** With other multipart sizes, for tests (S3 requires parts of at least 5 MiB but the last). */
    public S3EntryStore(S3Client s3, String bucket, String prefix, StorageDirectory temp, SpaceLedger ledger,
            S3Health health, long multipartThreshold, long minPart) {
        this(s3, bucket, prefix, temp, ledger, health, multipartThreshold, minPart, "entries/", new VerifiedWrite(),
                ObjectGets.of(s3, bucket));
    }

    private S3EntryStore(S3Client s3, String bucket, String prefix, StorageDirectory temp, SpaceLedger ledger,
            S3Health health, long multipartThreshold, long minPart, String area, VerifiedWrite writer, ObjectGets gets) {
        this.area = area;
        this.writer = writer;
        this.gets = gets;
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.temp = temp;
        this.ledger = ledger;
        this.health = health;
        this.multipartThreshold = multipartThreshold;
        this.minPart = minPart;
    }

    public S3Health health() {
        return health;
    }

    /** Where uses of entries are reported, to refresh their objects (retention). */
    public void useTouches(Touches touches) {
        this.touches = touches;
    }

    /** The bucket's hard bound on writes (janitor retention). */
    public void useBound(BucketBound bound) {
        this.bound = bound;
    }

    /** An entry was used without asking the bucket (a local-tier hit). */
    public void used(Namespace namespace, EntryKey key) {
        touches.used(objectKey(namespace, key), null);
    }

    /**
     * Why the bucket is unusable, or empty while it answers. Asks it (a HEAD of a probe name,
     * for which a 404 is the healthy answer, bounded to a few seconds) unless a request got an
     * answer within the last second, so a node recovers without traffic and without a restart.
     */
    public Optional<String> checkHealth() {
        if (health.failure().isEmpty() && health.ageNanos() < 1_000_000_000L) {
            return Optional.empty();
        }
        String name = prefix + "probe/health";
        try {
            s3.headObject(b -> b.bucket(bucket).key(name)
                    .overrideConfiguration(o -> o.apiCallTimeout(java.time.Duration.ofSeconds(3))));
            health.success();
        } catch (S3Exception e) {
            if (isMissing(e)) {
                health.success();
            } else {
                unavailable("look up " + name, e);
            }
        } catch (SdkException e) {
            unavailable("look up " + name, e);
        }
        return health.failure();
    }

    /**
     * The same bucket, prefix and health, with namespaces directly under the prefix:
     * {@code <prefix><namespace>/<key>}. For the dependency cache, whose {@code objects/},
     * {@code indexes/} and {@code bundles/} lie beside {@code entries/} as on a node's disk;
     * its namespace names are fixed by the code, never taken from a client. It shares this
     * store's upload threads: close this store, not the sibling.
     */
    public S3EntryStore besideEntries() {
        S3EntryStore beside = new S3EntryStore(s3, bucket, prefix, temp, ledger, health, multipartThreshold, minPart, "",
                writer, gets);
        beside.touches = touches; // a blob, index or ZIP used is refreshed too (janitor and blob sweep go by it)
        return beside;
    }

    /** The object name of an entry. Keys hold no {@code /}, so no two entries share a name. */
    String objectKey(Namespace namespace, EntryKey key) {
        return prefix + area + namespace.name() + "/" + key.value();
    }

    /**
     * The keys of a namespace that start with {@code keyPrefix}, at most {@code max} of them, in
     * the bucket's order (one LIST request). Names that are not keys are left out.
     */
    public List<EntryKey> keysStartingWith(Namespace namespace, String keyPrefix, int max) {
        String base = prefix + area + namespace.name() + "/";
        List<EntryKey> keys = new ArrayList<>();
        call("list " + base + keyPrefix, () -> s3.listObjectsV2(b -> b.bucket(bucket).prefix(base + keyPrefix)
                .maxKeys(max))).contents().forEach(object -> {
                    String key = object.key().substring(base.length());
                    if (io.polycache.store.Names.isSafeSegment(key, EntryKey.MAX_LENGTH)) {
                        keys.add(new EntryKey(key));
                    }
                });
        return keys;
    }

    @Override
    public Stored put(Namespace namespace, EntryKey key, InputStream body, long declaredLength,
            EntryVerifier verifier, Map<String, String> headers) throws IOException {
        EntryMeta.checkHeaders(headers);
        String encodedHeaders = encodeHeaders(headers);
        bound.admit();
        Path file = temp.newTempFile(".s3put");
        try (SpaceLedger.Reservation space = ledger.reserve(Math.max(0, declaredLength))) {
            VerifiedWrite.Written written;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                written = writer.write(body, declaredLength, verifier, channel, space);
            }
            // No fsync: the bucket is where the entry becomes durable; this file is read back now.
            EntryMeta meta = new EntryMeta(written.size(), written.sha256(), System.currentTimeMillis(), headers);
            return commit(namespace, key, file, meta, encodedHeaders);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private Stored commit(Namespace namespace, EntryKey key, Path file, EntryMeta meta, String encodedHeaders) {
        String name = objectKey(namespace, key);
        String writerId = UUID.randomUUID().toString();
        Map<String, String> metadata = metadata(meta, writerId, encodedHeaders);
        boolean conditional = namespace.policy() != WritePolicy.REPLACE;
        RuntimeException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                upload(name, file, meta.size(), metadata, conditional);
                health.success();
                return created(name, meta);
            } catch (S3Exception e) {
                if (e.statusCode() == 412 && conditional) {
                    health.success(); // an answer: the key is taken (by whom, the HEAD below tells)
                } else if (e.statusCode() == 409 && conditional) {
                    last = e; // ConditionalRequestConflict: a concurrent write; outcome unknown
                } else {
                    throw unavailable("store " + name, e);
                }
            } catch (SdkClientException e) {
                if (!conditional) {
                    throw unavailable("store " + name, e); // the SDK retried already
                }
                last = e; // the request may have been applied: find out below
            } catch (UncheckedIOException e) {
                throw unavailable("store " + name + " (reading the verified upload back)", e);
            }
            Optional<Found> found = find(name);
            if (found.isEmpty()) {
                continue; // nothing there (a lost request, or deleted meanwhile): write again
            }
            Found existing = found.get();
            if (writerId.equals(existing.writer())) {
                return created(name, meta); // our own write, whose answer was lost
            }
            if (existing.meta() == null) {
                LOG.warning("Replacing damaged object " + name + ": " + existing.damage());
                deleteObject(name);
                continue;
            }
            if (namespace.policy() == WritePolicy.WRITE_ONCE_REFUSE) {
                throw new EntryExistsException("Artifact already exists");
            }
            return new Stored(existing.meta(), false);
        }
        throw unavailable("store " + name + ": the outcome stayed unknown", last);
    }

    private Stored created(String name, EntryMeta meta) {
        bound.wrote(meta.size());
        touches.seen(name, System.currentTimeMillis());
        return new Stored(meta, true);
    }

    private void upload(String name, Path file, long size, Map<String, String> metadata, boolean conditional) {
        if (size < multipartThreshold) {
            s3.putObject(b -> {
                b.bucket(bucket).key(name).contentLength(size).metadata(metadata);
                if (conditional) {
                    b.ifNoneMatch("*");
                }
            }, RequestBody.fromFile(file));
            return;
        }
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(name).metadata(metadata)).uploadId();
        boolean completed = false;
        try {
            long partSize = Math.max(minPart, (size + MAX_PARTS - 1) / MAX_PARTS);
            List<CompletedPart> parts = new ArrayList<>();
            int number = 1;
            for (long offset = 0; offset < size; offset += partSize, number++) {
                long length = Math.min(partSize, size - offset);
                long from = offset;
                int part = number;
                String etag = s3.uploadPart(b -> b.bucket(bucket).key(name).uploadId(uploadId).partNumber(part)
                        .contentLength(length), RequestBody.fromContentProvider(() -> slice(file, from, length),
                                length, "application/octet-stream")).eTag();
                parts.add(CompletedPart.builder().partNumber(part).eTag(etag).build());
            }
            s3.completeMultipartUpload(b -> {
                b.bucket(bucket).key(name).uploadId(uploadId).multipartUpload(m -> m.parts(parts));
                if (conditional) {
                    b.ifNoneMatch("*");
                }
            });
            completed = true;
        } finally {
            if (!completed) {
                try {
                    s3.abortMultipartUpload(b -> b.bucket(bucket).key(name).uploadId(uploadId));
                } catch (SdkException e) {
                    LOG.warning("Could not abort multipart upload of " + name + " (a lifecycle rule removes it): " + e);
                }
            }
        }
    }

    /** {@code length} bytes of the file from {@code offset}, as a stream the SDK may ask for again. */
    private static InputStream slice(Path file, long offset, long length) {
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            channel.position(offset);
            return new BoundedInputStream(Channels.newInputStream(channel), length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<EntryMeta> head(Namespace namespace, EntryKey key) {
        return find(objectKey(namespace, key), true).map(Found::meta);
    }

    /** The object's metadata by HEAD, or empty when it is not stored. */
    Optional<Found> find(String name) {
        return find(name, false);
    }

    /** @param use whether the caller uses the entry (a read), which may refresh the object */
    private Optional<Found> find(String name, boolean use) {
        HeadObjectResponse head;
        try {
            head = s3.headObject(b -> b.bucket(bucket).key(name));
        } catch (S3Exception e) {
            if (isMissing(e)) {
                health.success();
                return Optional.empty();
            }
            throw unavailable("look up " + name, e);
        } catch (SdkException e) {
            throw unavailable("look up " + name, e);
        }
        health.success();
        Found found = parse(name, head.metadata(), head.contentLength());
        if (use && found.meta() != null) {
            touches.used(name, head.lastModified());
        }
        return Optional.of(found);
    }

    @Override
    public Optional<OpenEntry> open(Namespace namespace, EntryKey key) {
        return fetch(namespace, key).map(fetched -> new Streamed(fetched, () -> removeDamaged(namespace, key)));
    }

    /** An object whose body does not match its metadata. */
    public static final class DamagedObjectException extends IOException {
        DamagedObjectException(String message) {
            super(message);
        }
    }

    /**
     * Deletes an object found damaged while it was read, so that the next read is an honest miss
     * and the next put (write-once included) stores it again. Logged; never fails the caller.
     */
    public void removeDamaged(Namespace namespace, EntryKey key) {
        String name = objectKey(namespace, key);
        LOG.warning("Removing damaged object " + name + ": its body does not match its metadata");
        try {
            deleteObject(name);
        } catch (RuntimeException e) {
            LOG.warning("Could not remove damaged object " + name + ": " + e.getMessage());
        }
    }

    /**
     * Starts a GET of the entry's object: empty when it is not stored (or damaged: its length is
     * not the one its metadata gives). The body is the object's, unchecked; the caller verifies
     * it against the metadata's SHA-256.
     */
    public Optional<Fetched> fetch(Namespace namespace, EntryKey key) {
        String name = objectKey(namespace, key);
        ObjectGets.Response in;
        try {
            in = gets.get(name);
        } catch (ObjectGets.Refused e) {
            if (e.status == 404 && !"NoSuchBucket".equals(e.code)) {
                health.success();
                return Optional.empty();
            }
            throw unavailable("read " + name, e);
        } catch (IOException | SdkException | java.util.concurrent.CompletionException e) {
            throw unavailable("read " + name, e); // no answer, or no credentials
        }
        health.success();
        Found found = parse(name, userMetadata(in.headers()),
                in.header("Content-Length").map(S3EntryStore::parseLength).orElse(null));
        if (found.meta() == null) {
            in.body().abort();
            try {
                in.body().close();
            } catch (IOException e) {
                // aborted: nothing to lose
            }
            return Optional.empty();
        }
        if (touches.active()) {
            touches.used(name, in.header("Last-Modified").map(S3EntryStore::parseDate).orElse(null));
        }
        return Optional.of(new Fetched(found.meta(), in.body()));
    }

    /** The user metadata in a GET's answer headers, by lower-case name without {@code x-amz-meta-}. */
    static Map<String, String> userMetadata(Map<String, List<String>> headers) {
        Map<String, String> metadata = new HashMap<>();
        headers.forEach((name, values) -> {
            if (name.regionMatches(true, 0, "x-amz-meta-", 0, 11) && !values.isEmpty()) {
                metadata.put(name.substring(11).toLowerCase(java.util.Locale.ROOT), values.get(0));
            }
        });
        return metadata;
    }

    private static Long parseLength(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static java.time.Instant parseDate(String value) {
        try {
            return java.time.ZonedDateTime.parse(value, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    @Override
    public boolean delete(Namespace namespace, EntryKey key) {
        String name = objectKey(namespace, key);
        boolean existed = find(name).isPresent();
        deleteObject(name);
        return existed;
    }

    private void deleteObject(String name) {
        call("delete " + name, () -> s3.deleteObject(b -> b.bucket(bucket).key(name)));
    }

    private <T> T call(String what, Supplier<T> request) {
        try {
            T result = request.get();
            health.success();
            return result;
        } catch (SdkException e) {
            throw unavailable(what, e);
        }
    }

    /** A 404 for the key; a missing bucket is a failure, never a miss. */
    private static boolean isMissing(S3Exception e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        return e.statusCode() == 404 && !"NoSuchBucket".equals(code);
    }

    private StoreUnavailableException unavailable(String what, Exception e) {
        String why = e == null ? "no answer" : describe(e);
        health.failure("S3 bucket " + bucket + ": could not " + what + ": " + why);
        return new StoreUnavailableException("The shared store is unavailable: could not " + what + ": " + why, e);
    }

    static String describe(Exception e) {
        if (e instanceof S3Exception s3e && s3e.awsErrorDetails() != null) {
            return s3e.statusCode() + " " + s3e.awsErrorDetails().errorCode();
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }

    static Map<String, String> metadata(EntryMeta meta, String writerId, String encodedHeaders) {
        Map<String, String> metadata = new HashMap<>();
        metadata.put(META_SHA256, meta.sha256());
        metadata.put(META_SIZE, Long.toString(meta.size()));
        metadata.put(META_CREATED, Long.toString(meta.createdMillis()));
        metadata.put(META_WRITER, writerId);
        if (!encodedHeaders.isEmpty()) {
            metadata.put(META_HEADERS, encodedHeaders);
        }
        return metadata;
    }

    /**
     * The entry an object's metadata describes, or a damage note when it describes none (written
     * by something else, or its length is not the recorded one).
     */
    static Found parse(String name, Map<String, String> metadata, Long contentLength) {
        String writer = metadata.get(META_WRITER);
        try {
            long size = Long.parseLong(metadata.getOrDefault(META_SIZE, ""));
            if (contentLength == null || contentLength != size) {
                return new Found(null, writer, "holds " + contentLength + " bytes, its metadata says " + size);
            }
            EntryMeta meta = new EntryMeta(size, metadata.getOrDefault(META_SHA256, ""),
                    Long.parseLong(metadata.getOrDefault(META_CREATED, "")),
                    decodeHeaders(metadata.getOrDefault(META_HEADERS, "")));
            return new Found(meta, writer, null);
        } catch (IllegalArgumentException e) {
            return new Found(null, writer, "no Polycache metadata (" + e.getMessage() + ")");
        }
    }

    /** Replayed headers as one metadata value, {@code name=value&...}, percent-encoded (S3 metadata is ASCII). */
    static String encodeHeaders(Map<String, String> headers) {
        StringBuilder out = new StringBuilder();
        new TreeMap<>(headers).forEach((name, value) -> {
            if (out.length() > 0) {
                out.append('&');
            }
            out.append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        });
        if (out.length() > MAX_ENCODED_HEADERS) {
            throw new IllegalArgumentException("headers to replay take " + out.length() + " bytes encoded; S3 object "
                    + "metadata holds at most " + MAX_ENCODED_HEADERS);
        }
        return out.toString();
    }

    static Map<String, String> decodeHeaders(String encoded) {
        Map<String, String> headers = new HashMap<>();
        if (encoded.isEmpty()) {
            return headers;
        }
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("bad header pair " + pair);
            }
            headers.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return headers;
    }

    @Override
    public void close() {
        writer.close();
        gets.close();
    }

    /**
     * An entry streamed straight from its GET. The last chunk is held back until the whole body
     * matched its SHA-256, so a damaged object ends the response short (the connection is cut)
     * rather than complete.
     */
    private static final class Streamed implements OpenEntry {
        private final Fetched fetched;
        private final Runnable onDamage;

        Streamed(Fetched fetched, Runnable onDamage) {
            this.fetched = fetched;
            this.onDamage = onDamage;
        }

        @Override
        public EntryMeta meta() {
            return fetched.meta();
        }

        @Override
        public void transferTo(OutputStream out) throws IOException {
            try {
                VerifiedCopy.copy(fetched.body(), fetched.meta(), true, out);
            } catch (VerifiedCopy.Mismatch e) {
                onDamage.run();
                throw e;
            }
        }

        @Override
        public Optional<Path> file() {
            return Optional.empty();
        }

        @Override
        public void close() {
            fetched.close();
        }
    }

    /** At most {@code limit} bytes of a stream. */
    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long left;

        BoundedInputStream(InputStream in, long limit) {
            this.in = in;
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
