package io.polycache.artifact;

import io.polycache.store.CacheKey;
import io.polycache.store.EntryExistsException;
import io.polycache.store.EntryKey;
import io.polycache.store.EntryMeta;
import io.polycache.store.EntryStore;
import io.polycache.store.EntryVerifier;
import io.polycache.store.Namespace;
import io.polycache.store.OpenEntry;
import io.polycache.store.WritePolicy;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;

/**
 * Polykit artifacts over the storage contract: write-once (a second upload of a key is 409), and
 * every upload verified as an artifact for its key while it streams.
 */
public final class ArtifactService {
    /** Polykit's keyspace. */
    public static final Namespace NAMESPACE = new Namespace("polykit", WritePolicy.WRITE_ONCE_REFUSE);

    private final EntryStore store;
    private final ArtifactVerifier verifier = new ArtifactVerifier();

    public ArtifactService(EntryStore store) {
        this.store = store;
    }

    /** What a client learns about a stored artifact. */
    public record ArtifactInfo(String hash, long size) {
        static ArtifactInfo of(EntryMeta meta) {
            return new ArtifactInfo(meta.sha256(), meta.size());
        }
    }

    /**
     * Streams the body into the store while verifying it, then commits it.
     *
     * @param declaredLength the body's length if the client declared it, else -1
     * @throws InvalidArtifactException if the body is not a valid artifact for the key
     * @throws EntryExistsException     if the key is already stored
     */
    public ArtifactInfo put(CacheKey key, InputStream body, long declaredLength) throws IOException {
        EntryVerifier artifact = bytes -> verifier.verify(bytes, key);
        try {
            return ArtifactInfo.of(store.put(NAMESPACE, entryKey(key), body, declaredLength, artifact, Map.of()).meta());
        } catch (EntryExistsException e) {
            throw new EntryExistsException("Artifact already exists");
        }
    }

    /** Metadata of a stored artifact, or empty. */
    public Optional<ArtifactInfo> head(CacheKey key) throws IOException {
        return store.head(NAMESPACE, entryKey(key)).map(ArtifactInfo::of);
    }

    /** An open stored artifact (the caller closes it), or empty. */
    public Optional<OpenEntry> open(CacheKey key) throws IOException {
        return store.open(NAMESPACE, entryKey(key));
    }

    public static EntryKey entryKey(CacheKey key) {
        return new EntryKey(key.value());
    }
}
