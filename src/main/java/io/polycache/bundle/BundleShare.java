package io.polycache.bundle;

import io.polycache.store.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a node's bundles are shared with other nodes: the bucket of several nodes, or nothing
 * ({@link #NONE}, one node). The node's own {@code objects/}, {@code indexes/} and
 * {@code bundles/} are then its local tier; what is shared is what counts.
 *
 * <p>A bundle is shared in the order blobs, ZIP, index, and the index is the commit point: it is
 * written only if no index of the bundle is there yet, so one install wins across all nodes and
 * the others adopt its index. Blobs and ZIPs are content-addressed or derived, so writing one
 * that is already there is harmless (the first stays). A ZIP records the SHA-256 of the index it
 * was built from: one built by the loser of a race is never served as the winner's.
 *
 * <p>Failures to reach the share are {@link io.polycache.store.StoreUnavailableException}s,
 * never a "missing".
 */
public interface BundleShare {
    /**
     * A bundle was downloaded (from this node's disk or not): marks its shared index and ZIP as
     * used, for retention by last use (throttled; never fails the download).
     */
    default void used(Sha256 hash, String indexFileName) {}

    /** One node: nothing is shared, and nothing is found. */
    BundleShare NONE = new BundleShare() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public void putBlobs(java.util.Collection<Sha256> blobs, java.util.function.Function<Sha256, Path> storedFile) {}

        @Override
        public Optional<InputStream> openBlob(Sha256 blob) {
            return Optional.empty();
        }

        @Override
        public void putBundle(Sha256 hash, Path zip, Sha256 indexSha) {}

        @Override
        public boolean fetchBundle(Sha256 hash, Sha256 indexSha, Path target) {
            return false;
        }

        @Override
        public boolean commitIndex(String fileName, Path indexFile) {
            return true;
        }

        @Override
        public Optional<String> fetchIndex(Sha256 hash, Path target) {
            return Optional.empty();
        }

        @Override
        public void dropIndex(String fileName) {}
    };

    /** False for {@link #NONE}: the node works alone, exactly as before sharing existed. */
    boolean enabled();

    /**
     * Shares blobs' stored (raw-deflated) bytes under their content's SHA-256, those that are not
     * there yet; returns when all are there.
     *
     * @param storedFile where each blob's stored bytes are on this node
     */
    void putBlobs(java.util.Collection<Sha256> blobs, java.util.function.Function<Sha256, Path> storedFile)
            throws IOException;

    /**
     * A shared blob's stored bytes, streamed (the caller closes it and checks them against the
     * index), or empty when it is not shared.
     */
    Optional<InputStream> openBlob(Sha256 blob) throws IOException;

    /** Shares a bundle's ZIP, built from the index of SHA-256 {@code indexSha}, unless one is there. */
    void putBundle(Sha256 hash, Path zip, Sha256 indexSha) throws IOException;

    /**
     * Copies the shared ZIP of a bundle into {@code target} (an empty temp file), checked against
     * the SHA-256 it was stored with.
     *
     * @return false when there is none, or the one there was built from another index than
     *         {@code indexSha} (then {@code target}'s content is undefined)
     */
    boolean fetchBundle(Sha256 hash, Sha256 indexSha, Path target) throws IOException;

    /**
     * The commit point of an install: shares its index, named as on disk, unless the bundle has
     * one already.
     *
     * @return true if this index is now the bundle's, false if another install's was there first
     */
    boolean commitIndex(String fileName, Path indexFile) throws IOException;

    /**
     * Copies the shared index of a bundle into {@code target} (an empty temp file).
     *
     * @return its file name, or empty when the bundle is not shared
     */
    Optional<String> fetchIndex(Sha256 hash, Path target) throws IOException;

    /** Removes a shared index found unusable (a blob it names is gone), so the bundle installs again. */
    void dropIndex(String fileName) throws IOException;
}
