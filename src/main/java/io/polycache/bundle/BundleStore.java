package io.polycache.bundle;

import io.polycache.store.BlobStore;
import io.polycache.store.EntryKind;
import io.polycache.store.StorageDirectory;
import io.polycache.store.Sha256;
import io.polycache.store.ShardLayout;
import io.polycache.store.SpaceLedger;
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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bundle indexes and the ZIPs assembled from them.
 *
 * <p>An index is committed after every blob it names, so a bundle exists exactly when its index
 * does. The ZIP is a derived file: built from the index on first download and kept under
 * {@code bundles/}; when it is missing it is built again, byte for byte the same. Builds of one
 * bundle are serialised on a lock stripe, so concurrent first downloads build it once.
 *
 * <p>Over a {@link BundleShare} (several nodes), what is shared counts and this node's files are
 * its local tier: an install shares its blobs, its ZIP (built at once) and last its index, the
 * commit point; the loser of a race adopts the winner's index. A bundle this node does not hold
 * is looked up in the share and its index adopted; a missing ZIP is fetched from the share, or
 * built from the index with the blobs this node lacks read from the share. Eviction, scrubbing
 * and damage stay local, except that a bundle whose blob is missing from the share too has its
 * shared index removed, so that it installs again. Without a share (one node) nothing changes.
 */
public final class BundleStore {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(BundleStore.class.getName());
    private static final int STRIPES = 64;
    /** Blobs a scrub pass remembers as checked good, so that shared ones are read once a pass. */
    private static final int SCRUB_MEMORY = 100_000;
    private static final String MISSING = "is missing";

    private final StorageDirectory files;
    private final ShardLayout layout;
    private final ZipAssembler assembler;
    /** Builds from this node's blobs only: what the scrub checks a ZIP against. */
    private final ZipAssembler localAssembler;
    private final BlobStore blobs;
    private final SpaceLedger ledger;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    /** Hears of every ZIP built: how long it took and its size. */
    @FunctionalInterface
    public interface BuildObserver {
        void built(java.time.Duration duration, long bytes);
    }

    private final BuildObserver observer;
    private final BundleShare share;

    public BundleStore(StorageDirectory files, BlobStore blobs, SpaceLedger ledger) {
        this(files, blobs, ledger, (duration, bytes) -> {});
    }

    public BundleStore(StorageDirectory files, BlobStore blobs, SpaceLedger ledger, BuildObserver observer) {
        this(files, blobs, ledger, observer, BundleShare.NONE);
    }

    public BundleStore(StorageDirectory files, BlobStore blobs, SpaceLedger ledger, BuildObserver observer,
            BundleShare share) {
        this.observer = observer;
        this.share = share;
        this.files = files;
        this.layout = files.layout();
        this.assembler = new ZipAssembler(blobs, share);
        this.localAssembler = new ZipAssembler(blobs);
        this.blobs = blobs;
        this.ledger = ledger;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
        ledger.register(EntryKind.INDEX, this::evictIndex);
        ledger.register(EntryKind.BUNDLE, hash -> Files.deleteIfExists(layout.bundle(new Sha256(hash))));
    }

    /** Whether the bundle is stored; a hit counts as a use of its index. */
    public boolean exists(Sha256 hash) throws IOException {
        Optional<Path> index = localOrShared(hash);
        index.ifPresent(file -> ledger.touch(EntryKind.INDEX, ledgerName(file)));
        return index.isPresent();
    }

    /**
     * Writes an index atomically; every blob it names must already be stored and pinned by this
     * install. The pins become the index's references; if the commit fails, they are given up.
     */
    public void commit(BundleIndex index) throws IOException {
        if (share.enabled()) {
            commitShared(index);
            return;
        }
        List<String> shas = BundleIndex.blobsOf(index.entries());
        Path temp = files.newTempFile(".index");
        try {
            try (OutputStream out = Files.newOutputStream(temp)) {
                IndexCodec.write(index, out);
            }
            StorageDirectory.fsync(temp);
            Path target = layout.index(index.hash(), index.manager(), index.versionsTag());
            try (SpaceLedger.Reservation space = ledger.reserve(Files.size(temp))) {
                long size = Files.size(temp);
                files.moveIntoPlace(temp, target);
                space.commit(EntryKind.INDEX, ledgerName(target), size);
            }
            blobs.references().pinsBecomeReferences(shas);
        } catch (IOException | RuntimeException e) {
            blobs.unpin(shas);
            throw e;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * An install's commit over a share: its blobs, then its ZIP, then its index, the commit
     * point. The winner's index and ZIP are then committed here as on one node; the loser
     * adopts the winner's index (and keeps its own ZIP only when both indexes are the same
     * bytes, so the same ZIP). Either way the install's pins are settled.
     */
    private void commitShared(BundleIndex index) throws IOException {
        List<String> shas = BundleIndex.blobsOf(index.entries());
        boolean settled = false;
        Path indexTemp = null;
        Path zipTemp = null;
        try {
            indexTemp = files.newTempFile(".index");
            zipTemp = files.newTempFile(".zip");
            share.putBlobs(new java.util.LinkedHashSet<>(shas).stream().map(Sha256::new).toList(), layout::object);
            try (OutputStream out = Files.newOutputStream(indexTemp)) {
                IndexCodec.write(index, out);
            }
            StorageDirectory.fsync(indexTemp);
            Sha256 indexSha = sha256Of(indexTemp);
            long started = System.nanoTime();
            assembler.write(index, zipTemp);
            StorageDirectory.fsync(zipTemp);
            long zipSize = Files.size(zipTemp);
            observer.built(java.time.Duration.ofNanos(System.nanoTime() - started), zipSize);
            share.putBundle(index.hash(), zipTemp, indexSha);
            Path target = layout.index(index.hash(), index.manager(), index.versionsTag());
            ReentrantLock lock = stripe(index.hash());
            lock.lock();
            try {
                if (share.commitIndex(target.getFileName().toString(), indexTemp)) {
                    try (SpaceLedger.Reservation space = ledger.reserve(Files.size(indexTemp) + zipSize)) {
                        long size = Files.size(indexTemp);
                        files.moveIntoPlace(indexTemp, target);
                        space.commit(EntryKind.INDEX, ledgerName(target), size);
                        blobs.references().pinsBecomeReferences(shas);
                        settled = true;
                        files.moveIntoPlace(zipTemp, layout.bundle(index.hash()));
                        space.commit(EntryKind.BUNDLE, index.hash().value(), zipSize);
                    }
                    return;
                }
                // Another node's install won: its index is the bundle's, here as everywhere.
                Optional<Path> adopted = indexFile(index.hash());
                if (adopted.isEmpty()) {
                    adopted = adopt(index.hash());
                }
                if (adopted.isEmpty()) {
                    throw new IOException("bundle " + index.hash() + ": the shared index that won was removed meanwhile");
                }
                if (sha256Of(adopted.get()).equals(indexSha) && !Files.exists(layout.bundle(index.hash()))) {
                    try (SpaceLedger.Reservation space = ledger.reserve(zipSize)) {
                        files.moveIntoPlace(zipTemp, layout.bundle(index.hash()));
                        space.commit(EntryKind.BUNDLE, index.hash().value(), zipSize);
                    }
                }
            } finally {
                lock.unlock();
            }
        } finally {
            if (!settled) {
                blobs.unpin(shas); // after an adoption, which holds the blobs the winner's index shares
            }
            for (Path temp : new Path[] {indexTemp, zipTemp}) {
                if (temp != null) {
                    Files.deleteIfExists(temp);
                }
            }
        }
    }

    /** The bundle's local index, or the shared one adopted into the local tier, or empty. */
    private Optional<Path> localOrShared(Sha256 hash) throws IOException {
        Optional<Path> index = indexFile(hash);
        if (index.isPresent() || !share.enabled()) {
            return index;
        }
        ReentrantLock lock = stripe(hash);
        lock.lock();
        try {
            index = indexFile(hash);
            return index.isPresent() ? index : adopt(hash);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the shared index of a bundle into the local tier (the caller holds its stripe and
     * found no local index). Its blobs that this node holds get a reference from it; the others
     * stay in the share, read from there when a ZIP is built.
     */
    private Optional<Path> adopt(Sha256 hash) throws IOException {
        Path temp = files.newTempFile(".index");
        try {
            Optional<String> name = share.fetchIndex(hash, temp);
            if (name.isEmpty()) {
                return Optional.empty();
            }
            BundleIndex index;
            try (InputStream in = Files.newInputStream(temp)) {
                index = IndexCodec.read(in);
            }
            Path target = layout.index(index.hash(), index.manager(), index.versionsTag());
            if (!index.hash().equals(hash) || !target.getFileName().toString().equals(name.get())) {
                throw new IOException("shared index " + name.get() + " is not an index of bundle " + hash);
            }
            StorageDirectory.fsync(temp);
            try (SpaceLedger.Reservation space = ledger.reserve(Files.size(temp))) {
                long size = Files.size(temp);
                files.moveIntoPlace(temp, target);
                space.commit(EntryKind.INDEX, ledgerName(target), size);
            }
            blobs.references().referenceHeld(BundleIndex.blobsOf(index.entries()));
            return Optional.of(target);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Fetches the shared ZIP of a bundle into place (the caller holds its stripe), if the share
     * has one built from this very index.
     */
    private boolean fetchShared(Sha256 hash, Path indexFile, Path zip) throws IOException {
        if (!share.enabled()) {
            return false;
        }
        Path temp = files.newTempFile(".zip");
        try {
            if (!share.fetchBundle(hash, sha256Of(indexFile), temp)) {
                return false;
            }
            StorageDirectory.fsync(temp);
            long size = Files.size(temp);
            try (SpaceLedger.Reservation space = ledger.reserve(size)) {
                files.moveIntoPlace(temp, zip);
                space.commit(EntryKind.BUNDLE, hash.value(), size);
            }
            return true;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Shares a ZIP built here because the share had none from this index, so other nodes need
     * not build it. The download does not depend on it: a failure is only logged.
     */
    private void shareBuilt(Sha256 hash, Path indexFile, Path zip) {
        if (!share.enabled()) {
            return;
        }
        try {
            share.putBundle(hash, zip, sha256Of(indexFile));
        } catch (IOException | RuntimeException e) {
            LOG.warning("Could not share the ZIP of bundle " + hash + " built here: " + e.getMessage());
        }
    }

    private ReentrantLock stripe(Sha256 hash) {
        return stripes[Math.floorMod(hash.value().hashCode(), STRIPES)];
    }

    private static Sha256 sha256Of(Path file) throws IOException {
        java.security.MessageDigest digest = Sha256.newDigest();
        try (InputStream in = new java.security.DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return Sha256.of(digest);
    }

    /**
     * Evicts a bundle: its index first (so it stops existing), then its ZIP, then its hold on
     * the blobs, which go when no other index holds them.
     */
    private void evictIndex(String name) throws IOException {
        Sha256 hash = new Sha256(name.substring(0, name.indexOf('.')));
        Path indexFile = layout.indexShard(hash).resolve(name + ".index");
        BundleIndex index;
        try (InputStream in = Files.newInputStream(indexFile)) {
            index = IndexCodec.read(in);
        } catch (NoSuchFileException e) {
            return;
        }
        if (!Files.deleteIfExists(indexFile)) {
            return; // dropped or evicted meanwhile, which gave up the blobs
        }
        Files.deleteIfExists(layout.bundle(hash));
        ledger.removed(EntryKind.BUNDLE, hash.value());
        blobs.references().dereference(BundleIndex.blobsOf(index.entries()));
    }

    /** The blobs an index file names, for a scan of the store. */
    public static List<String> blobsOfIndexFile(Path indexFile) throws IOException {
        try (InputStream in = Files.newInputStream(indexFile)) {
            return BundleIndex.blobsOf(IndexCodec.read(in).entries());
        }
    }

    /** An index's name in the ledger: its file name without {@code .index}. */
    private static String ledgerName(Path indexFile) {
        String file = indexFile.getFileName().toString();
        return file.substring(0, file.length() - ".index".length());
    }

    /** A bundle's ZIP opened for reading (built first if missing), or empty for an unknown hash. */
    public Optional<OpenBundle> open(Sha256 hash) throws IOException {
        Optional<Path> index = localOrShared(hash);
        if (index.isEmpty()) {
            return Optional.empty();
        }
        Path zip = layout.bundle(hash);
        // A download is a use of the bundle and of its index (touched first, so that making
        // room for the ZIP below never evicts the index it is built from).
        ledger.touch(EntryKind.INDEX, ledgerName(index.get()));
        ledger.touch(EntryKind.BUNDLE, hash.value());
        share.used(hash, index.get().getFileName().toString());
        Optional<OpenBundle> open = openIfPresent(hash, zip);
        if (open.isPresent()) {
            return open;
        }
        ReentrantLock lock = stripe(hash);
        lock.lock();
        try {
            if (!Files.exists(zip) && !fetchShared(hash, index.get(), zip)) {
                build(index.get(), zip);
                shareBuilt(hash, index.get(), zip);
            }
        } catch (DamagedBlobException e) {
            // Never 500 forever under a cache hit: the bundle goes, and the next install request
            // finds it missing and installs it again.
            Files.deleteIfExists(layout.object(e.blob()));
            drop(index.get(), e.getMessage());
            if (e.missingFromShare()) {
                // Not even the share has it (removed there): the shared index goes too, else the
                // next request would adopt it again and no install could ever replace it.
                LOG.warning("Removing shared index " + index.get().getFileName() + ": " + e.getMessage());
                share.dropIndex(index.get().getFileName().toString());
            }
            return Optional.empty();
        } finally {
            lock.unlock();
        }
        return openIfPresent(hash, zip);
    }

    /**
     * Removes a bundle found damaged: its index (so it stops existing), its ZIP and its hold on
     * the blobs. Logged once, by the one that removed the index.
     */
    private void drop(Path indexFile, String why) throws IOException {
        String name = ledgerName(indexFile);
        if (!Files.exists(indexFile)) {
            return;
        }
        LOG.warning("Dropping damaged bundle " + name + ": " + why + "; the next install request installs it again");
        try {
            evictIndex(name);
        } catch (IOException e) {
            // Unreadable: its blobs' references stay until the next store scan sweeps them.
            Files.deleteIfExists(indexFile);
            Files.deleteIfExists(layout.bundle(new Sha256(name.substring(0, name.indexOf('.')))));
            ledger.removed(EntryKind.BUNDLE, name.substring(0, name.indexOf('.')));
        }
        ledger.removed(EntryKind.INDEX, name);
    }

    /**
     * One scrub pass ({@link io.polycache.store.Scrubber}): reads every blob an index names back
     * at the scrub's rate and checks its length and SHA-256 against the index. A damaged or
     * missing blob is deleted, and every bundle naming it is dropped with its index and ZIP, so
     * that the next install request installs it again instead of answering a cache hit whose
     * download fails. An unreadable index is dropped too. A bundle whose blobs are good then has
     * its ZIP checked ({@link #scrubZip}).
     */
    public void scrub(io.polycache.store.Scrubber.Pace pace) throws IOException, InterruptedException {
        java.util.List<Path> indexFiles = new java.util.ArrayList<>();
        io.polycache.store.StoreScan.forEachShardedFile(layout.indexesDir(), file -> {
            if (file.getFileName().toString().endsWith(".index")) {
                indexFiles.add(file);
            }
        });
        java.util.Set<Sha256> bad = new java.util.HashSet<>();
        java.util.Map<Sha256, Boolean> good = new java.util.LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(java.util.Map.Entry<Sha256, Boolean> eldest) {
                return size() > SCRUB_MEMORY;
            }
        };
        for (Path indexFile : indexFiles) {
            BundleIndex index;
            try (InputStream in = Files.newInputStream(indexFile)) {
                index = IndexCodec.read(in);
            } catch (NoSuchFileException e) {
                continue;
            } catch (IOException | RuntimeException e) {
                dropLocked(indexFile, "unreadable index: " + e.getMessage());
                pace.damaged();
                continue;
            }
            String damage = null;
            for (IndexEntry entry : index.entries()) {
                if (entry.isLink() || entry.storedSha256() == null) {
                    continue;
                }
                if (bad.contains(entry.blob())) {
                    damage = "blob " + entry.blob() + " of " + entry.path() + " is damaged";
                } else if (!good.containsKey(entry.blob())) {
                    String why = checkBlob(entry, pace);
                    if (why == null || (why == MISSING && share.enabled())) {
                        // Over a share, a blob this node never fetched is no damage: a build reads it there.
                        good.put(entry.blob(), Boolean.TRUE);
                    } else {
                        LOG.warning("Removing damaged blob " + entry.blob() + ": " + why);
                        Files.deleteIfExists(layout.object(entry.blob()));
                        bad.add(entry.blob());
                        pace.damaged();
                        damage = "blob " + entry.blob() + " of " + entry.path() + " " + why;
                    }
                }
                if (damage != null) {
                    break;
                }
            }
            if (damage != null) {
                dropLocked(indexFile, damage);
            } else {
                scrubZip(index, pace);
            }
        }
    }

    /**
     * Checks a bundle's ZIP, if this node holds one, against the SHA-256 of the bytes its index
     * gives ({@link ZipAssembler#sha256}): the ZIP goes out with sendfile, unchecked, so a
     * damaged one would answer every download of a cache hit with a file that fails to unzip.
     * A ZIP that differs is deleted (the index and blobs stay), and the next download builds it
     * again. Not checked: a bundle whose blobs are not all on this node (over a share, a ZIP
     * fetched from there); building it would read them from the share.
     */
    private void scrubZip(BundleIndex index, io.polycache.store.Scrubber.Pace pace)
            throws IOException, InterruptedException {
        Path zip = layout.bundle(index.hash());
        Object file;
        Sha256 stored;
        long size;
        try {
            file = Files.readAttributes(zip, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            try (InputStream in = Files.newInputStream(zip)) {
                java.security.MessageDigest digest = Sha256.newDigest();
                size = digest(in, digest, pace);
                stored = Sha256.of(digest);
            }
        } catch (NoSuchFileException e) {
            return; // not built here, or evicted meanwhile
        }
        Sha256 expected;
        try {
            expected = localAssembler.sha256(index);
        } catch (DamagedBlobException e) {
            return; // a blob not held here, or damaged since its check: the next pass tells
        }
        pace.read(size); // about what building it read
        if (stored.equals(expected)) {
            return;
        }
        ReentrantLock lock = stripe(index.hash());
        lock.lock();
        try {
            Object now;
            try {
                now = Files.readAttributes(zip, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            } catch (NoSuchFileException e) {
                return;
            }
            if (file == null || !file.equals(now)) {
                return; // evicted and built again meanwhile: not the file that was read
            }
            LOG.warning("Removing the damaged ZIP of bundle " + index.hash() + " (SHA-256 " + stored + ", built "
                    + expected + "); the next download builds it again");
            Files.deleteIfExists(zip);
            ledger.removed(EntryKind.BUNDLE, index.hash().value());
            pace.damaged();
        } finally {
            lock.unlock();
        }
    }

    private void dropLocked(Path indexFile, String why) throws IOException {
        String name = indexFile.getFileName().toString();
        ReentrantLock lock = stripes[Math.floorMod(name.substring(0, Math.max(0, name.indexOf('.'))).hashCode(), STRIPES)];
        lock.lock();
        try {
            drop(indexFile, why);
        } finally {
            lock.unlock();
        }
    }

    /** Null when the blob's stored bytes are the ones the index names, else what is wrong. */
    private String checkBlob(IndexEntry entry, io.polycache.store.Scrubber.Pace pace)
            throws IOException, InterruptedException {
        java.security.MessageDigest digest = Sha256.newDigest();
        long size;
        try (InputStream in = Files.newInputStream(layout.object(entry.blob()))) {
            size = digest(in, digest, pace);
        } catch (NoSuchFileException e) {
            return MISSING;
        }
        if (size != entry.storedSize() || !Sha256.of(digest).equals(entry.storedSha256())) {
            return "does not match its SHA-256 (" + size + " of " + entry.storedSize() + " bytes)";
        }
        return null;
    }

    /** Reads {@code in} to its end into {@code digest} at the scrub's pace; returns its length. */
    private static long digest(InputStream in, java.security.MessageDigest digest, io.polycache.store.Scrubber.Pace pace)
            throws IOException, InterruptedException {
        long size = 0;
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            digest.update(buffer, 0, n);
            size += n;
            pace.read(n);
        }
        return size;
    }

    private void build(Path indexFile, Path zip) throws IOException {
        BundleIndex index;
        try (InputStream in = Files.newInputStream(indexFile)) {
            index = IndexCodec.read(in);
        }
        Path temp = files.newTempFile(".zip");
        long started = System.nanoTime();
        try {
            assembler.write(index, temp);
            StorageDirectory.fsync(temp);
            long size = Files.size(temp);
            observer.built(java.time.Duration.ofNanos(System.nanoTime() - started), size);
            try (SpaceLedger.Reservation space = ledger.reserve(size)) {
                files.moveIntoPlace(temp, zip);
                space.commit(EntryKind.BUNDLE, index.hash().value(), size);
            }
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
