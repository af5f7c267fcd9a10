package io.polycache.store;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;

/**
 * The storage contract every protocol stores through: immutable entries addressed by
 * (namespace, key). Knows nothing of HTTP. Implementations own the temp area, the space
 * reservation, the commit and the metadata; a put is invisible until its commit and then
 * visible whole.
 */
public interface EntryStore {
    /** The outcome of a put: the stored entry's metadata, and whether this put stored it. */
    record Stored(EntryMeta meta, boolean created) {}

    /**
     * Streams {@code body} into the store while {@code verifier} reads the same bytes, then
     * commits it under the namespace's write policy.
     *
     * @param declaredLength the body's length if the client declared it, else -1
     * @param headers        protocol headers to replay on reads (see {@link EntryMeta})
     * @return the stored entry; {@code created} is false when a write-once-accept namespace
     *         already held the key (its first body stays)
     * @throws EntryExistsException          for a stored key of a write-once-refuse namespace
     * @throws InsufficientStorageException  when the entry cannot fit
     * @throws UploadReadException           when the body could not be read
     * @throws RuntimeException              whatever the verifier refused the body with
     */
    Stored put(Namespace namespace, EntryKey key, InputStream body, long declaredLength,
            EntryVerifier verifier, Map<String, String> headers) throws IOException;

    /** The entry's metadata, or empty when it is not stored. Counts as a use. */
    Optional<EntryMeta> head(Namespace namespace, EntryKey key) throws IOException;

    /** Opens the entry for reading (the caller closes it), or empty. Counts as a use. */
    Optional<OpenEntry> open(Namespace namespace, EntryKey key) throws IOException;

    /** Deletes the entry; true if it was stored. Readers that opened it keep their bytes. */
    boolean delete(Namespace namespace, EntryKey key) throws IOException;
}
