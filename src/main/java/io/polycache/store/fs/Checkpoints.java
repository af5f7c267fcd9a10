package io.polycache.store.fs;

import io.polycache.store.StorageDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Durability of entry files without an fsync per upload.
 *
 * <p>A put writes its file and renames (or links) it into place; that alone survives the
 * process being killed (the bytes are in the kernel's page cache). What a power loss may tear is
 * bounded by <em>checkpoints</em>: about once a second, if anything was committed since the last
 * one, this flushes the filesystem (one {@code syncfs}, through {@code sync -f}; where that is
 * not available, an fsync of every file committed since and of their directories) and then
 * durably records a time T such that <b>every entry file last modified before T is on the
 * device, body and name</b>. T is the checkpoint's start, or the start of the oldest upload
 * still in flight if that is earlier (an upload registers before it creates its file, so its
 * file's modification time is never before its registration).
 *
 * <p>The record also says whether the process stopped cleanly. After an unclean stop, entry
 * files modified at or after {@code T - MARGIN} are suspects: {@link FsEntryStore} checks each
 * against its SHA-256 before it serves it, and a background walk checks them all; until that
 * walk has finished, the record keeps the old T, so a second crash in between loses nothing
 * of the check. A missing record means a storage directory written by a release that fsynced
 * every upload (or a new one): nothing to check.
 */
final class Checkpoints implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Checkpoints.class.getName());
    /** The record, in the storage directory's root. */
    static final String FILE = "entries.checkpoint";
    /**
     * Slack between the JVM's clock and the file system's timestamps (the kernel stamps files
     * from a coarse clock, a tick behind) and for small clock adjustments.
     */
    static final long MARGIN_MILLIS = 2_000;
    static final long DEFAULT_INTERVAL_MILLIS = 1_000;
    private static final String MAGIC = "polycache-entries-checkpoint 1";

    /** How a checkpoint makes the files durable. */
    enum Flush {
        /** One {@code syncfs(2)} of the storage directory's filesystem ({@code sync -f DIR}), falling back to per-file. */
        SYNCFS,
        /** An fsync of each file committed since the last checkpoint and of every directory above it. */
        PER_FILE
    }

    /** What the previous run left: T and whether it stopped cleanly. */
    record Record(long since, boolean clean) {}

    private final StorageDirectory files;
    private final Path record;
    private final long intervalMillis;
    private volatile Flush flush;
    /** Files committed since the last checkpoint (their directories are flushed with them). */
    private final ConcurrentLinkedQueue<Path> committed = new ConcurrentLinkedQueue<>();
    /** Uploads in flight: token → start (epoch ms). */
    private final ConcurrentHashMap<Object, Long> inFlight = new ConcurrentHashMap<>();
    /** Modified at or after this (epoch ms): may be torn; {@link Long#MAX_VALUE} when nothing is suspect. */
    private volatile long suspectSince;
    private final Object lock = new Object();
    private final Thread thread;
    private volatile boolean closed;

    private Checkpoints(StorageDirectory files, long intervalMillis, Flush flush, long suspectSince) {
        this.files = files;
        this.record = files.layout().root().resolve(FILE);
        this.intervalMillis = intervalMillis;
        this.flush = flush;
        this.suspectSince = suspectSince;
        this.thread = new Thread(this::run, "polycache-checkpoint");
        this.thread.setDaemon(true);
    }

    /**
     * Reads what the previous run left, then records durably that this run has started (and
     * not stopped cleanly), before any upload is taken.
     */
    static Checkpoints open(StorageDirectory files, long intervalMillis, Flush flush) throws IOException {
        Path path = files.layout().root().resolve(FILE);
        Record previous = read(path);
        long suspectSince = Long.MAX_VALUE;
        if (previous != null && !previous.clean()) {
            suspectSince = previous.since() - MARGIN_MILLIS;
        }
        Checkpoints checkpoints = new Checkpoints(files, intervalMillis, flush, suspectSince);
        checkpoints.write(suspectSince == Long.MAX_VALUE ? System.currentTimeMillis() : previous.since(), false);
        checkpoints.thread.start();
        return checkpoints;
    }

    /** The record at {@code path}; null if there is none. An unreadable one counts as unclean since 0. */
    static Record read(Path path) throws IOException {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return null;
        }
        String[] lines = text.split("\n");
        try {
            if (lines.length >= 3 && lines[0].equals(MAGIC) && lines[1].startsWith("since ")
                    && lines[2].startsWith("clean ")) {
                return new Record(Long.parseLong(lines[1].substring(6)), Boolean.parseBoolean(lines[2].substring(6)));
            }
        } catch (NumberFormatException e) {
            // below
        }
        LOG.warning("Unreadable " + path + ": every entry counts as written since the last checkpoint");
        return new Record(0, false);
    }

    /** Entries modified at or after this (epoch ms) may have been torn; {@link Long#MAX_VALUE}: none. */
    long suspectSince() {
        return suspectSince;
    }

    /** Every suspect has been checked: checkpoints may move T forward again. */
    void recovered() {
        suspectSince = Long.MAX_VALUE;
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /** Registers an upload before its file is created; pass the token to {@link #end}. */
    Object begin() {
        Object token = new Object();
        inFlight.put(token, System.currentTimeMillis());
        return token;
    }

    void end(Object token) {
        inFlight.remove(token);
    }

    /** A file just committed into place (renamed or linked), to be flushed by the next checkpoint. */
    void committed(Path file) {
        committed.add(file);
    }

    private void run() {
        while (!closed) {
            try {
                synchronized (lock) {
                    lock.wait(intervalMillis);
                }
                if (!closed) {
                    checkpoint(false);
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "Checkpoint failed (will try again): " + e);
            }
        }
    }

    /**
     * One checkpoint: flushes what was committed since the last one and records its T. Records
     * nothing while suspects from an unclean stop are unchecked (the old T stands), and nothing
     * when nothing was committed (the old T is still true).
     */
    void checkpoint(boolean clean) throws IOException {
        synchronized (lock) {
            long since = System.currentTimeMillis(); // before the in-flight scan: see the class comment
            for (Long start : inFlight.values()) {
                since = Math.min(since, start);
            }
            List<Path> batch = new ArrayList<>();
            for (Path file; (file = committed.poll()) != null; ) {
                batch.add(file);
            }
            if (batch.isEmpty() && !clean) {
                return;
            }
            flush(batch);
            if (suspectSince != Long.MAX_VALUE) {
                return; // the unclean record with the old T stays until every suspect is checked
            }
            // An upload still in flight at the last checkpoint may commit after it: not clean.
            write(since, clean && inFlight.isEmpty());
        }
    }

    private void flush(List<Path> batch) throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        if (flush == Flush.SYNCFS) {
            try {
                Process sync = new ProcessBuilder("sync", "-f", files.layout().root().toString())
                        .redirectErrorStream(true).start();
                String output;
                try (InputStream out = sync.getInputStream()) {
                    output = new String(out.readAllBytes(), StandardCharsets.UTF_8).trim();
                }
                if (!sync.waitFor(10, TimeUnit.MINUTES)) {
                    sync.destroyForcibly();
                    throw new IOException("sync -f did not finish in 10 minutes");
                }
                if (sync.exitValue() == 0) {
                    return;
                }
                LOG.warning("sync -f failed (" + sync.exitValue() + ": " + output
                        + "); checkpoints fsync each file from now on");
            } catch (IOException e) {
                LOG.warning("sync -f is not available (" + e.getMessage() + "); checkpoints fsync each file from now on");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while flushing", e);
            }
            flush = Flush.PER_FILE;
        }
        Path root = files.layout().root();
        Set<Path> directories = new LinkedHashSet<>();
        for (Path file : batch) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                channel.force(true);
            } catch (NoSuchFileException e) {
                continue; // deleted or replaced since (a replacement is in the batch too)
            }
            for (Path dir = file.getParent(); dir != null && dir.startsWith(root); dir = dir.getParent()) {
                if (!directories.add(dir)) {
                    break; // and so are its parents
                }
            }
        }
        for (Path dir : directories) {
            fsyncDirectory(dir);
        }
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (NoSuchFileException e) {
            // removed since
        }
    }

    /** Replaces the record durably: temp file, fsync, rename, fsync of the directory. */
    private void write(long since, boolean clean) throws IOException {
        Path temp = files.newTempFile(".checkpoint");
        try {
            StorageDirectory.writeDurably(temp, (MAGIC + "\nsince " + since + "\nclean " + clean + "\n")
                    .getBytes(StandardCharsets.US_ASCII));
            files.moveIntoPlace(temp, record);
            fsyncDirectory(record.getParent());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Stops the checkpoints; the last one flushes everything and records a clean stop, unless
     * suspects from an earlier unclean stop are still unchecked (then the next start checks them).
     */
    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        try {
            thread.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            checkpoint(true);
        } catch (IOException | RuntimeException e) {
            LOG.warning("Could not record a clean stop (the next start checks recent entries): " + e);
        }
    }
}
