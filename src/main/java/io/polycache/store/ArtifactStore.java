package io.polycache.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Polykit artifacts: {@code artifacts/aa/bb/<key>.zst} with {@code <key>.json} beside it.
 *
 * <p>The metadata file is the commit marker: it is renamed into place after the data, and an
 * artifact exists exactly when its metadata does. Commits of one key are serialised by a lock
 * stripe (never a global lock), so of concurrent writers exactly one commits and the stored
 * bytes are exactly that writer's. A crash between the two renames leaves a data file without
 * metadata, which readers ignore and the next commit replaces.
 *
 * <p>Metadata of recently used artifacts is also kept in memory ({@link RecentMetadata}); it is
 * filled and emptied only under the key's lock, so it always agrees with the files.
 */
public final class ArtifactStore {
    private static final int STRIPES = 256;
    /** Metadata files are a few hundred bytes: this holds the hot set of most caches in ~8 MiB. */
    static final int RECENT_METADATA = 16_384;

    private final FileStore files;
    private final ShardLayout layout;
    private final SpaceLedger ledger;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final RecentMetadata recent = new RecentMetadata(RECENT_METADATA);

    public ArtifactStore(FileStore files, SpaceLedger ledger) {
        this.files = files;
        this.layout = files.layout();
        this.ledger = ledger;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
        ledger.register(EntryKind.ARTIFACT, name -> delete(new CacheKey(name)));
    }

    public FileStore files() {
        return files;
    }

    public SpaceLedger ledger() {
        return ledger;
    }

    public boolean exists(CacheKey key) {
        return Files.exists(layout.artifactMetadata(key));
    }

    /** The artifact's metadata bytes, or empty when it is not stored. */
    public Optional<byte[]> metadata(CacheKey key) throws IOException {
        byte[] metadata = recent.get(key.value());
        if (metadata == null) {
            // Read under the key's lock, so that a commit or delete cannot slip in between the
            // read and the caching: what is cached is what is on disk.
            ReentrantLock lock = stripeOf(key);
            lock.lock();
            try {
                metadata = Files.readAllBytes(layout.artifactMetadata(key));
                recent.put(key.value(), metadata);
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } finally {
                lock.unlock();
            }
        }
        ledger.touch(EntryKind.ARTIFACT, key.value());
        return Optional.of(metadata);
    }

    /** Opens the artifact for reading, or empty when it is not stored. */
    public Optional<StoredArtifact> open(CacheKey key) throws IOException {
        Optional<byte[]> metadata = metadata(key);
        if (metadata.isEmpty()) {
            return Optional.empty();
        }
        Path path = layout.artifactData(key);
        FileChannel data;
        try {
            data = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            recent.remove(key.value());
            return Optional.empty(); // deleted between the two opens
        }
        return Optional.of(new StoredArtifact(metadata.get(), data, data.size(), path));
    }

    /**
     * Commits a verified, fsynced temp file and its metadata, paid for from the reservation.
     *
     * @throws EntryExistsException if the key is already stored (the temp file is left to the caller)
     */
    public void commit(CacheKey key, Path tempData, byte[] metadata, SpaceLedger.Reservation space)
            throws IOException {
        long size = Files.size(tempData) + metadata.length;
        space.ensure(size);
        Path tempMeta = files.newTempFile(".json");
        try {
            FileStore.writeDurably(tempMeta, metadata);
            ReentrantLock lock = stripeOf(key);
            lock.lock();
            try {
                if (exists(key)) {
                    throw new EntryExistsException("Artifact already exists");
                }
                files.moveIntoPlace(tempData, layout.artifactData(key));
                files.moveIntoPlace(tempMeta, layout.artifactMetadata(key));
                recent.put(key.value(), metadata);
                space.commit(EntryKind.ARTIFACT, key.value(), size);
            } finally {
                lock.unlock();
            }
        } finally {
            Files.deleteIfExists(tempMeta);
        }
    }

    /** Deletes an artifact: metadata first, so readers stop seeing it before its data goes. */
    public void delete(CacheKey key) throws IOException {
        ReentrantLock lock = stripeOf(key);
        lock.lock();
        try {
            recent.remove(key.value());
            Files.deleteIfExists(layout.artifactMetadata(key));
            Files.deleteIfExists(layout.artifactData(key));
        } finally {
            lock.unlock();
        }
    }

    private ReentrantLock stripeOf(CacheKey key) {
        return stripes[Math.floorMod(key.value().hashCode(), STRIPES)];
    }
}
