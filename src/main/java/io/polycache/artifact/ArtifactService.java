package io.polycache.artifact;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polycache.store.ArtifactStore;
import io.polycache.store.CacheKey;
import io.polycache.store.SpaceLedger;
import io.polycache.store.StoredArtifact;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Stores Polykit artifacts after verifying them, and finds them again. */
public final class ArtifactService implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Bodies declared at least this long are verified on a second thread. Below it a handoff
     * buys little: concurrent uploads keep the cores busy, and the upload is over in milliseconds.
     */
    static final long PIPELINE_MIN = 4L * 1024 * 1024;
    /** Chunks (of {@link ChunkPipe#CHUNK} bytes) the reader may run ahead of the verifier. */
    static final int PIPE_CHUNKS = 4;

    private final ArtifactStore store;
    private final ArtifactVerifier verifier = new ArtifactVerifier();
    private final ExecutorService verifiers = Executors.newCachedThreadPool(new ThreadFactory() {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "polycache-verify-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    });

    public ArtifactService(ArtifactStore store) {
        this.store = store;
    }

    /** What a client learns about a stored artifact. */
    public record ArtifactInfo(String hash, long size) {}

    /**
     * Streams the body into a temp file while verifying it, then commits it.
     *
     * @param declaredLength the body's length if the client declared it, else -1
     * @throws InvalidArtifactException  if the body is not a valid artifact for the key
     * @throws io.polycache.store.EntryExistsException if the key is already stored
     */
    public ArtifactInfo put(CacheKey key, InputStream body, long declaredLength) throws IOException {
        Path temp = store.files().newTempFile(".zst");
        try (SpaceLedger.Reservation space = store.ledger().reserve(0)) {
            MessageDigest sha = Hashing.sha256();
            ArtifactVerifier.Verified verified;
            long size;
            try (FileChannel file = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(
                        new ReservingOutputStream(Channels.newOutputStream(file), space), 64 * 1024);
                TeeInputStream tee;
                if (declaredLength >= PIPELINE_MIN) {
                    ChunkPipe pipe = new ChunkPipe(PIPE_CHUNKS);
                    tee = new TeeInputStream(body, new FanOut(pipe.sink(), out), null);
                    verified = verifyAlongside(tee, pipe, key, sha);
                } else {
                    tee = new TeeInputStream(body, out, sha);
                    verified = verifyInline(tee, key);
                }
                size = tee.count();
                out.flush();
                file.force(true); // durable before it is renamed into place (same open file)
            }
            String hash = HexFormat.of().formatHex(sha.digest());
            store.commit(key, temp, metadataJson(key, hash, size, verified.metadata()), space);
            return new ArtifactInfo(hash, size);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private ArtifactVerifier.Verified verifyInline(TeeInputStream tee, CacheKey key) {
        ArtifactVerifier.Verified verified;
        try {
            verified = verifier.verify(tee, key);
        } catch (InvalidArtifactException e) {
            // Read the rest before refusing: a body over the size limit is answered 413
            // rather than 422, and the client gets its answer on a clean connection.
            tee.drain();
            throw e;
        }
        tee.drain();
        return verified;
    }

    /**
     * This thread reads and stores the body while another hashes, decompresses and verifies
     * it. With both on one thread a 256 MiB upload took 0.93-1.0 s, two thirds of the CPU on
     * the reading thread's side (bench/run.sh writes, async-profiler). Outcomes are those of
     * {@link #verifyInline}: a read failure (including a body over the size limit) wins over a
     * verification failure.
     */
    private ArtifactVerifier.Verified verifyAlongside(TeeInputStream tee, ChunkPipe pipe, CacheKey key,
            MessageDigest sha) throws IOException {
        Future<ArtifactVerifier.Verified> verification = verifiers.submit(() -> {
            try {
                InputStream bytes = new DigestInputStream(pipe.source(), sha);
                ArtifactVerifier.Verified verified = verifier.verify(bytes, key);
                bytes.transferTo(OutputStream.nullOutputStream()); // the digest covers every byte
                return verified;
            } finally {
                pipe.abandon();
            }
        });
        try {
            tee.drain();
            tee.closeCopy(); // flushes the last chunk and ends the verifier's stream
        } catch (RuntimeException | IOException e) {
            pipe.fail(new IOException(e.getMessage(), e));
            awaitQuietly(verification);
            throw e;
        }
        try {
            return verification.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            verification.cancel(true);
            throw new InterruptedIOException("interrupted while verifying an upload");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure; // InvalidArtifactException above all
            }
            throw new IOException("verification failed", e.getCause());
        }
    }

    private static void awaitQuietly(Future<?> task) {
        try {
            task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // the upload already failed; this is the verifier noticing
        }
    }

    /** Stops the verifier threads; uploads in flight fail. */
    @Override
    public void close() {
        verifiers.shutdownNow();
    }

    /** Writes every byte to the pipe to the verifier first (so it starts sooner), then to the file. */
    private static final class FanOut extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        FanOut(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }

        /** Ends the verifier's stream; the file is closed by its owner. */
        @Override
        public void close() throws IOException {
            first.close();
        }
    }

    /** Metadata of a stored artifact, or empty. */
    public Optional<ArtifactInfo> head(CacheKey key) throws IOException {
        Optional<byte[]> metadata = store.metadata(key);
        if (metadata.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(infoOf(metadata.get()));
    }

    /** An open stored artifact (the caller closes it), or empty. */
    public Optional<OpenArtifact> open(CacheKey key) throws IOException {
        Optional<StoredArtifact> stored = store.open(key);
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        StoredArtifact artifact = stored.get();
        String hash = infoOf(artifact.metadata()).hash();
        return Optional.of(new OpenArtifact(new ArtifactInfo(hash, artifact.size()), artifact));
    }

    /** A stored artifact opened for streaming. */
    public record OpenArtifact(ArtifactInfo info, StoredArtifact stored) implements AutoCloseable {
        @Override
        public void close() {
            stored.close();
        }
    }

    /**
     * Hash and size from stored metadata. Streams the tokens and stops when both are read: this
     * runs on every read, and building a tree cost several percent of a small GET's CPU.
     */
    static ArtifactInfo infoOf(byte[] metadata) throws IOException {
        String hash = null;
        long size = -1;
        try (JsonParser parser = JSON.getFactory().createParser(metadata)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("artifact metadata is not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME && (hash == null || size < 0)) {
                String field = parser.currentName();
                parser.nextToken();
                if (field.equals("hash")) {
                    hash = parser.getValueAsString();
                } else if (field.equals("size")) {
                    size = parser.getValueAsLong(-1);
                } else {
                    parser.skipChildren();
                }
            }
        }
        if (hash == null || size < 0) {
            throw new IOException("artifact metadata lacks hash or size");
        }
        return new ArtifactInfo(hash, size);
    }

    private static byte[] metadataJson(CacheKey key, String hash, long size, JsonNode artifact) throws IOException {
        ObjectNode json = JSON.createObjectNode();
        json.put("hash", hash);
        json.put("size", size);
        json.put("created_at", Instant.now().getEpochSecond());
        json.put("cache_key_hash", key.value());
        json.set("package_name", artifact.get("package_name"));
        json.set("task_name", artifact.get("task_name"));
        json.set("artifact_created_at", artifact.get("created_at"));
        json.set("artifact_version", artifact.get("version"));
        return JSON.writeValueAsBytes(json);
    }
}
