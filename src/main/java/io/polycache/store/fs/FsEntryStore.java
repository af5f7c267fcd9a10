package io.polycache.store.fs;

import io.polycache.store.EntryExistsException;
import io.polycache.store.EntryKey;
import io.polycache.store.EntryKind;
import io.polycache.store.EntryMeta;
import io.polycache.store.EntryStore;
import io.polycache.store.EntryVerifier;
import io.polycache.store.StorageDirectory;
import io.polycache.store.Namespace;
import io.polycache.store.WritePolicy;
import io.polycache.store.OpenEntry;
import io.polycache.store.ShardLayout;
import io.polycache.store.SpaceLedger;
import io.polycache.store.VerifiedWrite;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import io.polycache.store.Sha256;
import io.polycache.store.VerifiedCopy;
import java.nio.channels.Channels;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * Entries on the local filesystem, one file each ({@link EntryFile}) at
 * {@code entries/<namespace>/aa/bb/<key>}.
 *
 * <p>A put writes body and metadata into one temp file and commits it with one rename (replace)
 * or one hard link (write-once: the link fails when the key exists, so the check and the commit
 * are one atomic step). It does not fsync: an acknowledged entry is in the kernel's page cache,
 * which survives the process being killed, and {@link Checkpoints} flushes every second or so
 * and records up to when everything is on the device. After an unclean stop, entries written
 * since that record are checked against their SHA-256 before they are served (and by a
 * background walk), so a power loss may lose the last seconds of uploads but never serves a
 * torn one. Commits and deletes of one key are serialised on a
 * lock stripe (never a global lock), so the ledger's accounting follows the files exactly.
 * Readers take no lock: an open file keeps its bytes, whatever happens to its name.
 *
 * <p>A file that fails {@link EntryFile}'s wholeness check (torn by a crash, truncated, damaged)
 * is never served: it is removed, logged and counted, and the key reads as a miss, so the next
 * put stores it again.
 */
public final class FsEntryStore implements EntryStore, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FsEntryStore.class.getName());
    private static final int STRIPES = 256;
    /** Bodies up to this are read whole with their metadata in one read and served from memory. */
    static final int SMALL = 64 * 1024;

    private final StorageDirectory files;
    private final ShardLayout layout;
    private final SpaceLedger ledger;
    private final VerifiedWrite writer = new VerifiedWrite();
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final LongAdder damaged = new LongAdder();
    /** Small entries read lately, whole; coherent through {@link #generations}. */
    private final SmallEntryCache cache = new SmallEntryCache(SmallEntryCache.defaultCapacity());
    /** Per lock stripe: bumped under the stripe's lock by every commit, delete and eviction. */
    private final java.util.concurrent.atomic.AtomicLongArray generations = new java.util.concurrent.atomic.AtomicLongArray(STRIPES);
    private final Checkpoints checkpoints;
    /** Checks the entries a crash may have torn; null after a clean stop. */
    private final Thread recovery;

    public FsEntryStore(StorageDirectory files, SpaceLedger ledger) {
        this(files, ledger, Checkpoints.DEFAULT_INTERVAL_MILLIS, Checkpoints.Flush.SYNCFS, true);
    }

    /** @param recoverInBackground false (tests only): suspects are checked by reads alone */
    FsEntryStore(StorageDirectory files, SpaceLedger ledger, long checkpointMillis, Checkpoints.Flush flush,
            boolean recoverInBackground) {
        this.files = files;
        this.layout = files.layout();
        this.ledger = ledger;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
        ledger.register(EntryKind.ENTRY, this::evict);
        try {
            checkpoints = Checkpoints.open(files, checkpointMillis, flush);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot record a checkpoint in " + layout.root(), e);
        }
        if (checkpoints.suspectSince() == Long.MAX_VALUE || !recoverInBackground) {
            recovery = null;
        } else {
            recovery = new Thread(this::recover, "polycache-entries-recovery");
            recovery.setDaemon(true);
            recovery.start();
        }
    }

    @Override
    public Stored put(Namespace namespace, EntryKey key, InputStream body, long declaredLength,
            EntryVerifier verifier, Map<String, String> headers) throws IOException {
        EntryMeta.checkHeaders(headers);
        Object upload = checkpoints.begin(); // before the file exists: see Checkpoints
        Path temp = null;
        try (SpaceLedger.Reservation space = ledger.reserve(Math.max(0, declaredLength))) {
            temp = files.newTempName(".entry");
            EntryMeta meta;
            long fileSize;
            try (FileChannel file = StorageDirectory.createTempFile(temp)) {
                VerifiedWrite.Written written = writer.write(body, declaredLength, verifier, file, space);
                meta = new EntryMeta(written.size(), written.sha256(), System.currentTimeMillis(), headers);
                ByteBuffer trailer = EntryFile.trailer(meta);
                fileSize = written.size() + trailer.remaining();
                space.ensure(fileSize);
                while (trailer.hasRemaining()) {
                    file.write(trailer);
                }
                // No fsync: the next checkpoint flushes it (see the class comment).
            }
            Stored stored = commit(namespace, key, temp, meta, fileSize, space);
            if (namespace.policy() == WritePolicy.REPLACE) {
                temp = null; // renamed into place: nothing to delete (a failing unlink costs an exception)
            }
            return stored;
        } catch (IOException | java.io.UncheckedIOException e) {
            io.polycache.store.DiskFull.rethrowIfFull(e); // 507, not 500: the disk, not the request
            throw e;
        } finally {
            if (temp != null) {
                Files.deleteIfExists(temp);
            }
            checkpoints.end(upload);
        }
    }

    /**
     * Registers a write of an entry file that {@link #adopt} will commit, before the file is
     * created: until {@link #endWrite}, no checkpoint records a time after its start, so that
     * after an unclean stop the adopted file is checked against its SHA-256 like an upload's
     * (see {@link Checkpoints}). The caller does not fsync.
     */
    public Object beginWrite() {
        return checkpoints.begin();
    }

    /** Ends a write {@link #beginWrite} registered, committed or not. */
    public void endWrite(Object write) {
        checkpoints.end(write);
    }

    /**
     * Commits a complete entry file written elsewhere (body, then {@link EntryFile#trailer})
     * within a {@link #beginWrite} registration: how a local tier in front of a shared store
     * keeps what it fetched. A write-once key already stored keeps its file. The caller deletes
     * {@code file} afterwards.
     */
    public void adopt(Namespace namespace, EntryKey key, Path file, EntryMeta meta, long fileSize) throws IOException {
        try (SpaceLedger.Reservation space = ledger.reserve(fileSize)) {
            commit(namespace, key, file, meta, fileSize, space);
        } catch (EntryExistsException e) {
            // stored meanwhile: the same bytes, by write-once
        }
    }

    private Stored commit(Namespace namespace, EntryKey key, Path temp, EntryMeta meta, long fileSize,
            SpaceLedger.Reservation space) throws IOException {
        Path target = layout.entry(namespace, key);
        ReentrantLock lock = stripeOf(namespace, key);
        lock.lock();
        try {
            switch (namespace.policy()) {
                case REPLACE -> files.moveIntoPlace(temp, target);
                case WRITE_ONCE_REFUSE, WRITE_ONCE_ACCEPT -> {
                    if (!files.linkIntoPlaceIfAbsent(temp, target)) {
                        Optional<EntryMeta> existing = readMeta(namespace, key, target);
                        if (existing.isEmpty()) {
                            // The stored file was damaged and is gone now: this put takes its place.
                            if (!files.linkIntoPlaceIfAbsent(temp, target)) {
                                throw new IOException("could not commit " + target);
                            }
                        } else if (namespace.policy() == WritePolicy.WRITE_ONCE_REFUSE) {
                            throw new EntryExistsException("Artifact already exists");
                        } else {
                            ledger.touch(EntryKind.ENTRY, ledgerName(namespace, key));
                            return new Stored(existing.get(), false);
                        }
                    }
                }
            }
            changed(namespace, key);
            checkpoints.committed(target);
            space.commit(EntryKind.ENTRY, ledgerName(namespace, key), fileSize);
            io.polycache.store.DiskFull.cleared();
            return new Stored(meta, true);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<EntryMeta> head(Namespace namespace, EntryKey key) throws IOException {
        SmallEntryCache.Cached cached = cache.get(ledgerName(namespace, key));
        if (cached != null) {
            ledger.touch(EntryKind.ENTRY, ledgerName(namespace, key));
            return Optional.of(cached.meta());
        }
        Optional<EntryMeta> meta = readMeta(namespace, key, layout.entry(namespace, key));
        meta.ifPresent(m -> ledger.touch(EntryKind.ENTRY, ledgerName(namespace, key)));
        return meta;
    }

    private Optional<EntryMeta> readMeta(Namespace namespace, EntryKey key, Path path) throws IOException {
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            EntryMeta meta = EntryFile.read(file, file.size());
            if (suspect(path)) {
                checkBody(file, meta, UNPACED);
            }
            return Optional.of(meta);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (EntryFile.DamagedException e) {
            quarantine(namespace, key, path, e);
            return Optional.empty();
        }
    }

    @Override
    public Optional<OpenEntry> open(Namespace namespace, EntryKey key) throws IOException {
        String name = ledgerName(namespace, key);
        SmallEntryCache.Cached cached = cache.get(name);
        if (cached != null) {
            OpenEntry hit = copyOut(cached);
            if (hit != null) {
                ledger.touch(EntryKind.ENTRY, name);
                return Optional.of(hit);
            }
        }
        int stripe = stripeIndex(namespace, key);
        long generation = generations.get(stripe); // before the open: see cacheUnlessChanged
        Path path = layout.entry(namespace, key);
        FileChannel file;
        try {
            file = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        boolean handedOver = false;
        try {
            OpenEntry entry = readLent(file, name, stripe, generation);
            if (entry == null) {
                long fileSize = file.size();
                if (fileSize <= SMALL + EntryFile.TAIL_READ) {
                    ByteBuffer whole = ByteBuffer.allocate((int) fileSize);
                    EntryFile.readFully(file, whole, 0);
                    EntryMeta meta = EntryFile.parse(whole.array(), 0, (int) fileSize, fileSize);
                    // Small bodies are checked against their SHA-256 on every read: a flipped bit is a
                    // miss, never a 200 (a few microseconds for a 4 KiB body).
                    if (!EntryFile.bodyMatches(whole.array(), meta, Sha256.newDigest(), new byte[32])) {
                        throw new EntryFile.DamagedException("body does not match its SHA-256");
                    }
                    entry = new InMemory(meta, whole.array());
                    cacheUnlessChanged(stripe, generation, name, meta, whole.array());
                } else {
                    EntryMeta meta = EntryFile.read(file, fileSize);
                    if (suspect(path)) {
                        checkBody(file, meta, UNPACED); // whole, before a byte is sent
                    }
                    entry = new OnDisk(meta, file, namespace.policy() == WritePolicy.REPLACE ? null : path,
                            damage -> quarantine(namespace, key, path, damage));
                    handedOver = true;
                }
            }
            ledger.touch(EntryKind.ENTRY, name);
            return Optional.of(entry);
        } catch (EntryFile.DamagedException e) {
            quarantine(namespace, key, path, e);
            return Optional.empty();
        } finally {
            if (!handedOver) {
                file.close();
            }
        }
    }

    /**
     * A cached entry, copied into this thread's buffer if it is free and large enough (else into
     * one of its own); null if the cache freed it meanwhile (a miss: the file is read).
     */
    private OpenEntry copyOut(SmallEntryCache.Cached cached) {
        EntryMeta meta = cached.meta();
        Object[] lender = LENDERS.get();
        java.util.concurrent.atomic.AtomicReference<OpenEntry> borrower = borrower(lender);
        byte[] lent = (byte[]) lender[0];
        if (meta.size() <= lent.length && borrower.get() == null) {
            return cache.read(cached, lent) ? Lent.lend(meta, lent, borrower) : null;
        }
        byte[] own = new byte[(int) meta.size()];
        return cache.read(cached, own) ? new InMemory(meta, own) : null;
    }

    /** Files up to this many bytes are read into a buffer of the reading thread's, lent to the entry. */
    static final int LENT = 32 * 1024;
    /**
     * Per thread: a buffer for one small file, lent to one open entry at a time, and a SHA-256
     * digest. Only JDK types, so that a thread of the container keeps no class of this webapp
     * alive after it is undeployed: {byte[] LENT bytes, ByteBuffer wrapping them, MessageDigest,
     * byte[32] digest, AtomicReference to the entry the bytes are lent to (null: free)}.
     */
    private static final ThreadLocal<Object[]> LENDERS = ThreadLocal.withInitial(() -> {
        byte[] bytes = new byte[LENT];
        return new Object[] {bytes, ByteBuffer.wrap(bytes), Sha256.newDigest(), new byte[32],
                new java.util.concurrent.atomic.AtomicReference<OpenEntry>()};
    });

    /**
     * The usual small read, the cheap way: one read into this thread's buffer, no fstat, no
     * allocation (the bytes are copied only if the cache admits them). A read that returns less
     * than the buffer holds ended at the end of the file, so its length is the file's; the
     * footer, the metadata's CRC and the body's SHA-256 then check the file whole, as the read
     * below does. Null when this does not apply or does not check out (the buffer is lent to an
     * entry not closed yet, the file is larger, or anything looks damaged): the careful read
     * below then reads the file again and alone decides damage.
     */
    private OpenEntry readLent(FileChannel file, String name, int stripe, long generation) throws IOException {
        Object[] lender = LENDERS.get();
        java.util.concurrent.atomic.AtomicReference<OpenEntry> borrower = borrower(lender);
        if (borrower.get() != null) {
            return null;
        }
        byte[] bytes = (byte[]) lender[0];
        ByteBuffer buffer = ((ByteBuffer) lender[1]).clear();
        int length = file.read(buffer, 0);
        if (length <= 0 || length >= bytes.length) {
            return null;
        }
        EntryMeta meta;
        try {
            meta = EntryFile.parse(bytes, 0, length, length);
        } catch (EntryFile.DamagedException e) {
            return null;
        }
        if (!EntryFile.bodyMatches(bytes, meta, (MessageDigest) lender[2], (byte[]) lender[3])) {
            return null;
        }
        OpenEntry entry = Lent.lend(meta, bytes, borrower);
        cacheUnlessChanged(stripe, generation, name, meta, bytes);
        return entry;
    }

    /** The entry a thread's buffer is lent to, from its {@link #LENDERS} slot. */
    @SuppressWarnings("unchecked")
    private static java.util.concurrent.atomic.AtomicReference<OpenEntry> borrower(Object[] lender) {
        return (java.util.concurrent.atomic.AtomicReference<OpenEntry>) lender[4];
    }

    @Override
    public boolean delete(Namespace namespace, EntryKey key) throws IOException {
        ReentrantLock lock = stripeOf(namespace, key);
        lock.lock();
        try {
            changed(namespace, key);
            boolean deleted = Files.deleteIfExists(layout.entry(namespace, key));
            ledger.removed(EntryKind.ENTRY, ledgerName(namespace, key));
            return deleted;
        } finally {
            lock.unlock();
        }
    }

    /**
     * One scrub pass ({@link io.polycache.store.Scrubber}): reads every entry file back at the
     * scrub's rate and checks it whole (footer, metadata, body against its SHA-256), including
     * the large write-once entries that reads send unchecked. A damaged file is removed as a read
     * would remove it, unless it was replaced meanwhile.
     */
    public void scrub(io.polycache.store.Scrubber.Pace pace) throws IOException, InterruptedException {
        scrubDirectory(layout.entriesDir(), pace);
    }

    private void scrubDirectory(Path dir, io.polycache.store.Scrubber.Pace pace)
            throws IOException, InterruptedException {
        java.util.List<Path> children = new java.util.ArrayList<>();
        try (java.nio.file.DirectoryStream<Path> list = Files.newDirectoryStream(dir)) {
            for (Path child : list) {
                children.add(child);
            }
        } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
            return; // removed meanwhile
        }
        java.util.Collections.sort(children);
        for (Path child : children) {
            if (Files.isDirectory(child, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                scrubDirectory(child, pace);
            } else {
                String name = io.polycache.store.StoreScan.ledgerNameOf(layout.entriesDir().relativize(child));
                if (name != null) {
                    scrubEntry(child, name, pace);
                }
            }
        }
    }

    private void scrubEntry(Path path, String name, io.polycache.store.Scrubber.Pace pace)
            throws IOException, InterruptedException {
        IOException damage = null;
        Object identity;
        try {
            identity = fileKey(path);
        } catch (NoSuchFileException e) {
            return;
        }
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            // Read again once open: equal only if the channel reads the file named above.
            if (identity == null || !identity.equals(fileKey(path))) {
                return; // replaced meanwhile: the next pass checks the new one
            }
            long fileSize = file.size();
            try {
                checkBody(file, EntryFile.read(file, fileSize), pace);
            } catch (EntryFile.DamagedException e) {
                damage = e;
            }
        } catch (NoSuchFileException e) {
            return; // deleted or replaced meanwhile
        }
        if (damage != null) {
            Named entry = Named.parse(name);
            Namespace namespace = entry.namespace();
            EntryKey key = entry.key();
            ReentrantLock lock = stripeOf(namespace, key);
            lock.lock();
            try {
                // The file still there must be the one found damaged, not a good one put since.
                Object now;
                try {
                    now = fileKey(path);
                } catch (NoSuchFileException e) {
                    return;
                }
                if (!identity.equals(now)) {
                    return;
                }
                quarantine(namespace, key, path, damage); // the stripe lock is reentrant
                pace.damaged();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Reads the body through SHA-256 and throws unless it matches the metadata. */
    private static void checkBody(FileChannel file, EntryMeta meta, io.polycache.store.Scrubber.Pace pace)
            throws IOException, InterruptedException {
        MessageDigest sha = Sha256.newDigest();
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(64 * 1024, Math.max(1, meta.size())));
        long position = 0;
        while (position < meta.size()) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), meta.size() - position));
            int n = file.read(buffer, position);
            if (n < 0) {
                throw new EntryFile.DamagedException("ends at " + position + " of " + meta.size() + " bytes");
            }
            sha.update(buffer.array(), 0, n);
            position += n;
            pace.read(n);
        }
        if (!HexFormat.of().formatHex(sha.digest()).equals(meta.sha256())) {
            throw new EntryFile.DamagedException("body does not match its SHA-256");
        }
    }

    /** For reads: checks without pausing or counting (an interrupt is an I/O failure). */
    private static void checkBody(FileChannel file, EntryMeta meta, Unpaced pace) throws IOException {
        try {
            checkBody(file, meta, (io.polycache.store.Scrubber.Pace) pace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while checking an entry");
        }
    }

    private static final Unpaced UNPACED = new Unpaced();

    private static final class Unpaced implements io.polycache.store.Scrubber.Pace {
        @Override
        public void read(long bytes) {}

        @Override
        public void damaged() {}
    }

    /**
     * True while entries a crash may have torn are unchecked and this file is one of them
     * (modified since the last checkpoint before the crash). Called after the file is open:
     * a file put since the restart is newer still, so an old time means the open file is the
     * one named.
     */
    private boolean suspect(Path path) throws IOException {
        long since = checkpoints.suspectSince();
        if (since == Long.MAX_VALUE) {
            return false;
        }
        try {
            return Files.getLastModifiedTime(path).toMillis() >= since;
        } catch (NoSuchFileException e) {
            return true; // replaced or deleted meanwhile: check what is open
        }
    }

    /**
     * After an unclean stop: checks every entry file modified since the last checkpoint before
     * it against its SHA-256 (removing the damaged ones, as the scrub does), then lets
     * checkpoints move on. Reads check the same files themselves until this is done.
     */
    private void recover() {
        long since = checkpoints.suspectSince();
        long started = System.nanoTime();
        long[] counts = new long[3]; // files seen, suspects checked, damaged
        io.polycache.store.Scrubber.Pace pace = new io.polycache.store.Scrubber.Pace() {
            @Override
            public void read(long bytes) {}

            @Override
            public void damaged() {
                counts[2]++;
            }
        };
        Path base = layout.entriesDir();
        try {
            if (Files.isDirectory(base)) {
                Files.walkFileTree(base, new java.nio.file.SimpleFileVisitor<>() {
                    @Override
                    public java.nio.file.FileVisitResult visitFile(Path file,
                            java.nio.file.attribute.BasicFileAttributes attributes) throws IOException {
                        if (Thread.currentThread().isInterrupted()) {
                            return java.nio.file.FileVisitResult.TERMINATE;
                        }
                        counts[0]++;
                        if (attributes.isRegularFile() && attributes.lastModifiedTime().toMillis() >= since) {
                            String name = io.polycache.store.StoreScan.ledgerNameOf(base.relativize(file));
                            if (name != null) {
                                try {
                                    scrubEntry(file, name, pace);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                    return java.nio.file.FileVisitResult.TERMINATE;
                                }
                                counts[1]++;
                            }
                        }
                        return java.nio.file.FileVisitResult.CONTINUE;
                    }

                    @Override
                    public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
                        return java.nio.file.FileVisitResult.CONTINUE; // removed while walking
                    }
                });
            }
        } catch (IOException | RuntimeException e) {
            LOG.warning("Checking the entries written before an unclean stop failed; reads go on checking them: " + e);
            return;
        }
        if (Thread.currentThread().isInterrupted()) {
            return; // stopped: the record keeps the old checkpoint, the next start checks again
        }
        checkpoints.recovered();
        LOG.info("After an unclean stop: checked " + counts[1] + " entries written since the last checkpoint (of "
                + counts[0] + " files), removed " + counts[2] + " damaged, in "
                + (System.nanoTime() - started) / 1_000_000 + " ms");
    }

    /** True once no entry is waiting to be checked after an unclean stop. */
    public boolean recovered() {
        return checkpoints.suspectSince() == Long.MAX_VALUE;
    }

    private static Object fileKey(Path path) throws IOException {
        return Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    }

    /** Entries found damaged (and removed) since start. */
    public long damaged() {
        return damaged.sum();
    }

    /** Removes a damaged entry so that the key reads as a miss and the next put heals it. */
    private void quarantine(Namespace namespace, EntryKey key, Path path, IOException why) throws IOException {
        LOG.warning("Removing damaged entry " + namespace + "/" + key + " (" + path + "): " + why.getMessage());
        damaged.increment();
        delete(namespace, key);
    }

    /** The ledger's eviction of an entry: the file goes; the ledger forgets it itself. */
    private void evict(String name) throws IOException {
        Named entry = Named.parse(name);
        Namespace namespace = entry.namespace();
        EntryKey key = entry.key();
        ReentrantLock lock = stripeOf(namespace, key);
        lock.lock();
        try {
            changed(namespace, key);
            Files.deleteIfExists(layout.entry(namespace, key));
        } finally {
            lock.unlock();
        }
    }

    /** How the ledger names an entry: {@code <namespace>/<key>} (keys hold no slash). */
    public static String ledgerName(Namespace namespace, EntryKey key) {
        return namespace.name() + '/' + key.value();
    }

    /**
     * The entry a ledger name names, for the paths and locks of an eviction or a scrub. Those
     * depend on the namespace's name only; its write policy rules puts, and the ledger does not
     * keep it, so the one given here stands for any.
     */
    private record Named(Namespace namespace, EntryKey key) {
        static Named parse(String ledgerName) {
            int slash = ledgerName.lastIndexOf('/');
            return new Named(new Namespace(ledgerName.substring(0, slash), WritePolicy.REPLACE),
                    new EntryKey(ledgerName.substring(slash + 1)));
        }
    }

    private ReentrantLock stripeOf(Namespace namespace, EntryKey key) {
        return stripes[stripeIndex(namespace, key)];
    }

    private static int stripeIndex(Namespace namespace, EntryKey key) {
        return Math.floorMod(31 * namespace.name().hashCode() + key.value().hashCode(), STRIPES);
    }

    /** Under the key's lock, before its file changes: what the cache holds of it is stale. */
    private void changed(Namespace namespace, EntryKey key) {
        generations.incrementAndGet(stripeIndex(namespace, key));
        cache.remove(ledgerName(namespace, key));
    }

    /**
     * Caches what a read found, unless a commit, delete or eviction in the key's stripe came
     * between the read's start and now (it may have read the file just replaced). A writer
     * holding the lock means a change under way: nothing is cached then either.
     */
    private void cacheUnlessChanged(int stripe, long generation, String name, EntryMeta meta, byte[] bytes) {
        ReentrantLock lock = stripes[stripe];
        if (lock.tryLock()) {
            try {
                if (generations.get(stripe) == generation) {
                    cache.put(name, meta, bytes);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public void close() {
        if (recovery != null) {
            recovery.interrupt();
            try {
                recovery.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        writer.close();
        checkpoints.close();
    }

    /** Removes an entry found damaged while it was being read. */
    @FunctionalInterface
    private interface Quarantine {
        void remove(IOException why) throws IOException;
    }

    /** A small entry, read whole with its metadata in one read. */
    private record InMemory(EntryMeta meta, byte[] bytes) implements OpenEntry {
        @Override
        public void transferTo(OutputStream out) throws IOException {
            out.write(bytes, 0, (int) meta.size());
        }

        @Override
        public Optional<Path> file() {
            return Optional.empty();
        }

        @Override
        public void close() {}
    }

    /**
     * A small entry read into the reading thread's buffer, which is its own until it is closed
     * (then the thread's next read reuses it).
     */
    private static final class Lent implements OpenEntry {
        private final EntryMeta meta;
        private final byte[] bytes;
        private final java.util.concurrent.atomic.AtomicReference<OpenEntry> borrower;

        private Lent(EntryMeta meta, byte[] bytes, java.util.concurrent.atomic.AtomicReference<OpenEntry> borrower) {
            this.meta = meta;
            this.bytes = bytes;
            this.borrower = borrower;
        }

        /** An entry of the thread's buffer {@code bytes}, which it holds until it is closed. */
        static Lent lend(EntryMeta meta, byte[] bytes, java.util.concurrent.atomic.AtomicReference<OpenEntry> borrower) {
            Lent entry = new Lent(meta, bytes, borrower);
            borrower.set(entry);
            return entry;
        }

        @Override
        public EntryMeta meta() {
            return meta;
        }

        @Override
        public void transferTo(OutputStream out) throws IOException {
            if (borrower.get() != this) {
                throw new IllegalStateException("read after close"); // the bytes may be another entry's now
            }
            out.write(bytes, 0, (int) meta.size());
        }

        @Override
        public Optional<Path> file() {
            return Optional.empty();
        }

        @Override
        public void close() {
            borrower.compareAndSet(this, null); // a second close frees nothing lent since
        }
    }

    /**
     * A larger entry, streamed from its open file and checked against its SHA-256 as it goes (or
     * sent from it by name, zero-copy, unchecked: the scrub finds damage there).
     */
    private record OnDisk(EntryMeta meta, FileChannel channel, Path path, Quarantine onDamage) implements OpenEntry {
        @Override
        public void transferTo(OutputStream out) throws IOException {
            try {
                // From offset 0 (metadata reads are positional and leave the position alone).
                VerifiedCopy.copy(Channels.newInputStream(channel), meta, false, out);
            } catch (VerifiedCopy.Mismatch damage) {
                onDamage.remove(damage); // the next read is an honest miss
                throw damage;
            }
        }

        /**
         * Only for write-once namespaces: the name is opened again by the container after this
         * entry is closed, and a replace in between would send another body under this one's
         * length and hash. Write-once files change only by being deleted, which cuts the send.
         */
        @Override
        public Optional<Path> file() {
            return Optional.ofNullable(path);
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // a read channel: closing cannot lose data
            }
        }
    }
}
