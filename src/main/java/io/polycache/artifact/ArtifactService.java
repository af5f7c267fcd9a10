package io.polycache.artifact;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polycache.store.ArtifactStore;
import io.polycache.store.CacheKey;
import io.polycache.store.FileStore;
import io.polycache.store.SpaceLedger;
import io.polycache.store.StoredArtifact;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/** Stores Polykit artifacts after verifying them, and finds them again. */
public final class ArtifactService {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ArtifactStore store;
    private final ArtifactVerifier verifier = new ArtifactVerifier();

    public ArtifactService(ArtifactStore store) {
        this.store = store;
    }

    /** What a client learns about a stored artifact. */
    public record ArtifactInfo(String hash, long size) {}

    /**
     * Streams the body into a temp file while verifying it, then commits it.
     *
     * @throws InvalidArtifactException  if the body is not a valid artifact for the key
     * @throws io.polycache.store.EntryExistsException if the key is already stored
     */
    public ArtifactInfo put(CacheKey key, InputStream body) throws IOException {
        Path temp = store.files().newTempFile(".zst");
        try (SpaceLedger.Reservation space = store.ledger().reserve(0)) {
            MessageDigest sha = Hashing.sha256();
            ArtifactVerifier.Verified verified;
            long size;
            try (OutputStream out = new BufferedOutputStream(
                    new ReservingOutputStream(Files.newOutputStream(temp), space), 64 * 1024)) {
                TeeInputStream tee = new TeeInputStream(body, out, sha);
                try {
                    verified = verifier.verify(tee, key);
                } catch (InvalidArtifactException e) {
                    // Read the rest before refusing: a body over the size limit is answered 413
                    // rather than 422, and the client gets its answer on a clean connection.
                    tee.drain();
                    throw e;
                }
                tee.drain();
                size = tee.count();
            }
            FileStore.fsync(temp);
            String hash = HexFormat.of().formatHex(sha.digest());
            store.commit(key, temp, metadataJson(key, hash, size, verified.metadata()), space);
            return new ArtifactInfo(hash, size);
        } finally {
            Files.deleteIfExists(temp);
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
