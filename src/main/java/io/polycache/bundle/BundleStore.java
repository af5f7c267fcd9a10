package io.polycache.bundle;

import io.polycache.store.BlobStore;
import io.polycache.store.FileStore;
import io.polycache.store.Sha256;
import io.polycache.store.ShardLayout;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bundle indexes and the ZIPs assembled from them.
 *
 * <p>An index is committed after every blob it names, so a bundle exists exactly when its index
 * does. The ZIP is a derived file: built from the index on first download and kept under
 * {@code bundles/}; when it is missing it is built again, byte for byte the same. Builds of one
 * bundle are serialised on a lock stripe, so concurrent first downloads build it once.
 */
public final class BundleStore {
    private static final int STRIPES = 64;

    private final FileStore files;
    private final ShardLayout layout;
    private final ZipAssembler assembler;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    public BundleStore(FileStore files, BlobStore blobs) {
        this.files = files;
        this.layout = files.layout();
        this.assembler = new ZipAssembler(blobs);
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    public boolean exists(Sha256 hash) throws IOException {
        return indexFile(hash).isPresent();
    }

    /** Writes an index atomically; every blob it names must already be stored. */
    public void commit(BundleIndex index) throws IOException {
        Path temp = files.newTempFile(".index");
        try {
            try (OutputStream out = Files.newOutputStream(temp)) {
                IndexCodec.write(index, out);
            }
            FileStore.fsync(temp);
            files.moveIntoPlace(temp, layout.index(index.hash(), index.manager(), index.versionsTag()));
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** A bundle's ZIP opened for reading (built first if missing), or empty for an unknown hash. */
    public Optional<OpenBundle> open(Sha256 hash) throws IOException {
        Optional<Path> index = indexFile(hash);
        if (index.isEmpty()) {
            return Optional.empty();
        }
        Path zip = layout.bundle(hash);
        Optional<OpenBundle> open = openIfPresent(hash, zip);
        if (open.isPresent()) {
            return open;
        }
        ReentrantLock lock = stripes[Math.floorMod(hash.value().hashCode(), STRIPES)];
        lock.lock();
        try {
            if (!Files.exists(zip)) {
                build(index.get(), zip);
            }
        } finally {
            lock.unlock();
        }
        return openIfPresent(hash, zip);
    }

    private void build(Path indexFile, Path zip) throws IOException {
        BundleIndex index;
        try (InputStream in = Files.newInputStream(indexFile)) {
            index = IndexCodec.read(in);
        }
        Path temp = files.newTempFile(".zip");
        try {
            assembler.write(index, temp);
            FileStore.fsync(temp);
            files.moveIntoPlace(temp, zip);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static Optional<OpenBundle> openIfPresent(Sha256 hash, Path zip) throws IOException {
        try {
            FileChannel channel = FileChannel.open(zip, StandardOpenOption.READ);
            return Optional.of(new OpenBundle(hash, channel, channel.size()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** The index of a bundle: the one file in its shard named {@code <hash>.*.index}. */
    private Optional<Path> indexFile(Sha256 hash) throws IOException {
        Path shard = layout.indexShard(hash);
        try (DirectoryStream<Path> found = Files.newDirectoryStream(shard, hash.value() + ".*.index")) {
            for (Path path : found) {
                return Optional.of(path);
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** A bundle's ZIP opened for streaming; the open channel survives a concurrent delete. */
    public record OpenBundle(Sha256 hash, FileChannel data, long size) implements AutoCloseable {
        @Override
        public void close() {
            try {
                data.close();
            } catch (IOException ignored) {
                // a read channel: closing it cannot lose data
            }
        }
    }
}
