package io.polycache.boot;

import io.polycache.bundle.BundleShare;
import io.polycache.store.EntryExistsException;
import io.polycache.store.EntryKey;
import io.polycache.store.EntryVerifier;
import io.polycache.store.Namespace;
import io.polycache.store.Sha256;
import io.polycache.store.StoreUnavailableException;
import io.polycache.store.VerifiedCopy;
import io.polycache.store.WritePolicy;
import io.polycache.store.s3.S3EntryStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * The dependency cache's share over the bucket, through the storage contract: three namespaces
 * directly under the prefix, named as the directories on a node's disk, with the same bytes as
 * the files there:
 * <pre>
 * &lt;prefix&gt;objects/&lt;sha256&gt;                           blobs, raw-deflated (write-once, accept)
 * &lt;prefix&gt;bundles/&lt;hash&gt;.zip                         ZIPs (write-once, accept)
 * &lt;prefix&gt;indexes/&lt;hash&gt;.&lt;manager&gt;.&lt;versions&gt;.index   indexes, the commit point (write-once, refuse)
 * </pre>
 * Each object carries the store's usual metadata (SHA-256, size); a ZIP also carries the SHA-256
 * of the index it was built from. An index is found by its hash alone with one LIST of
 * {@code indexes/<hash>.}, since a download names only the hash.
 */
final class SharedBundles implements BundleShare {
    static final Namespace OBJECTS = new Namespace("objects", WritePolicy.WRITE_ONCE_ACCEPT);
    static final Namespace BUNDLES = new Namespace("bundles", WritePolicy.WRITE_ONCE_ACCEPT);
    static final Namespace INDEXES = new Namespace("indexes", WritePolicy.WRITE_ONCE_REFUSE);
    /** The metadata of a ZIP naming the index it was built from. */
    static final String BUILT_FROM = "x-polycache-index-sha256";

    /** Blob uploads in flight at once, over all installs of the node. */
    static final int BLOB_UPLOADS = 8;

    private final S3EntryStore store;
    private final ExecutorService uploads = Executors.newFixedThreadPool(BLOB_UPLOADS, task -> {
        Thread thread = new Thread(task, "polycache-s3-blob-upload");
        thread.setDaemon(true);
        return thread;
    });

    /** @param store the bucket's store with namespaces beside {@code entries/} ({@link S3EntryStore#besideEntries}) */
    SharedBundles(S3EntryStore store) {
        this.store = store;
    }

    /** Stops the upload threads (an install still sharing blobs then fails). */
    void close() {
        uploads.shutdownNow();
    }

    @Override
    public boolean enabled() {
        return true;
    }

    /**
     * {@value #BLOB_UPLOADS} at a time: an install holds hundreds to thousands of files, and one
     * S3 round trip after another (tens of milliseconds each on AWS) would add minutes to it.
     * A HEAD first: most blobs of an install are shared by earlier bundles already, and a HEAD
     * costs one request where a refused conditional PUT costs the upload and a HEAD.
     */
    @Override
    public void putBlobs(Collection<Sha256> blobs, Function<Sha256, Path> storedFile) throws IOException {
        List<Future<Void>> puts = new ArrayList<>(blobs.size());
        try {
            for (Sha256 blob : blobs) {
                puts.add(uploads.submit(() -> {
                    EntryKey key = new EntryKey(blob.value());
                    if (store.head(OBJECTS, key).isEmpty()) {
                        put(OBJECTS, key, storedFile.apply(blob), Map.of());
                    }
                    return null;
                }));
            }
            for (Future<Void> put : puts) {
                put.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while sharing blobs");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            puts.forEach(put -> put.cancel(true)); // after a failure, the rest are not needed
        }
    }

    @Override
    public Optional<InputStream> openBlob(Sha256 blob) {
        return store.fetch(OBJECTS, new EntryKey(blob.value()))
                .map(fetched -> new FromBucket(fetched.body(), "objects/" + blob.value()));
    }

    @Override
    public void putBundle(Sha256 hash, Path zip, Sha256 indexSha) throws IOException {
        put(BUNDLES, zipKey(hash), zip, Map.of(BUILT_FROM, indexSha.value()));
    }

    @Override
    public boolean fetchBundle(Sha256 hash, Sha256 indexSha, Path target) throws IOException {
        EntryKey key = zipKey(hash);
        Optional<S3EntryStore.Fetched> found = store.fetch(BUNDLES, key);
        if (found.isEmpty()) {
            return false;
        }
        try (S3EntryStore.Fetched fetched = found.get()) {
            if (!indexSha.value().equals(fetched.meta().headers().get(BUILT_FROM))) {
                return false; // built by the loser of a race from its own index: this node builds its own
            }
            return copy(fetched, target, BUNDLES, key);
        }
    }

    @Override
    public boolean commitIndex(String fileName, Path indexFile) throws IOException {
        try {
            put(INDEXES, new EntryKey(fileName), indexFile, Map.of());
            return true;
        } catch (EntryExistsException e) {
            return false;
        }
    }

    @Override
    public Optional<String> fetchIndex(Sha256 hash, Path target) throws IOException {
        List<EntryKey> keys = store.keysStartingWith(INDEXES, hash.value() + ".", 2);
        for (EntryKey key : keys) {
            if (!key.value().endsWith(".index")) {
                continue;
            }
            Optional<S3EntryStore.Fetched> found = store.fetch(INDEXES, key);
            if (found.isPresent()) {
                try (S3EntryStore.Fetched fetched = found.get()) {
                    if (copy(fetched, target, INDEXES, key)) {
                        return Optional.of(key.value());
                    }
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public void used(Sha256 hash, String indexFileName) {
        store.used(INDEXES, new EntryKey(indexFileName));
        store.used(BUNDLES, zipKey(hash));
    }

    @Override
    public void dropIndex(String fileName) {
        store.delete(INDEXES, new EntryKey(fileName));
    }

    private static EntryKey zipKey(Sha256 hash) {
        return new EntryKey(hash.value() + ".zip");
    }

    private void put(Namespace namespace, EntryKey key, Path file, Map<String, String> headers) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            store.put(namespace, key, in, Files.size(file), EntryVerifier.NONE, headers);
        }
    }

    /** Copies an object's body into a file, checked against its metadata; a damaged one is removed. */
    private boolean copy(S3EntryStore.Fetched fetched, Path target, Namespace namespace, EntryKey key)
            throws IOException {
        try (OutputStream out = Files.newOutputStream(target)) {
            VerifiedCopy.copy(new FromBucket(fetched.body(), namespace + "/" + key), fetched.meta(), true, out);
            return true;
        } catch (VerifiedCopy.Mismatch e) {
            store.removeDamaged(namespace, key);
            return false;
        }
    }

    /**
     * An object's body as it arrives: a read that breaks off is the bucket being unavailable
     * (503), not a fault of this node, as for every other protocol's reads.
     */
    private static final class FromBucket extends java.io.FilterInputStream {
        private final String name;

        FromBucket(InputStream in, String name) {
            super(in);
            this.name = name;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                throw brokeOff(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                throw brokeOff(e);
            }
        }

        private StoreUnavailableException brokeOff(IOException e) {
            return new StoreUnavailableException("The shared store is unavailable: reading " + name
                    + " broke off: " + e.getMessage(), e);
        }
    }
}
