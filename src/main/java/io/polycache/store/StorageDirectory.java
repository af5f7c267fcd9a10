package io.polycache.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The atomic-write discipline every entry follows: write into {@code tmp/}, rename into place
 * (fsynced first, except entry files: {@code store.fs.Checkpoints} flushes those). A reader sees
 * nothing or the whole file, never a prefix.
 */
public final class StorageDirectory {
    private static final Logger LOG = Logger.getLogger(StorageDirectory.class.getName());

    private static final java.nio.file.attribute.FileAttribute<?> OWNER_ONLY =
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    /** Tells this process's temp names from those of an earlier one (start-up empties tmp/, but still). */
    private static final String TEMP_NONCE = Long.toString(new java.security.SecureRandom().nextLong() >>> 1, 36);
    private static final java.util.concurrent.atomic.AtomicLong TEMP_COUNTER = new java.util.concurrent.atomic.AtomicLong();

    private final ShardLayout layout;

    public StorageDirectory(ShardLayout layout) {
        this.layout = layout;
    }

    public ShardLayout layout() {
        return layout;
    }

    /** Creates the storage directory and empties {@code tmp/} of writes a previous run left. */
    public void open() throws IOException {
        Files.createDirectories(layout.root());
        Files.createDirectories(layout.tmp());
        int removed = clearTmp();
        if (removed > 0) {
            LOG.info("Removed " + removed + " unfinished write(s) from " + layout.tmp());
        }
    }

    /** Deletes everything in {@code tmp/}; returns how many top-level entries went. */
    public int clearTmp() throws IOException {
        int removed = 0;
        if (!Files.isDirectory(layout.tmp())) {
            return 0;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(layout.tmp())) {
            for (Path entry : entries) {
                deleteRecursively(entry);
                removed++;
            }
        }
        return removed;
    }

    /** A new empty file in {@code tmp/}. The caller deletes it if it is never committed. */
    public Path newTempFile(String suffix) throws IOException {
        return Files.createTempFile(layout.tmp(), "w-", suffix);
    }

    /**
     * A name in {@code tmp/} that no other write of this process uses, for a file the caller
     * creates with {@link #createTempFile(Path)}: one open per upload instead of
     * {@link #newTempFile}'s create, close and reopen, and no random number per name.
     */
    public Path newTempName(String suffix) {
        return layout.tmp().resolve("w-" + TEMP_NONCE + "-" + Long.toString(TEMP_COUNTER.incrementAndGet(), 36) + suffix);
    }

    /** Creates {@code name} (it must not exist), readable and writable by this user only, open for writing. */
    public static FileChannel createTempFile(Path name) throws IOException {
        return FileChannel.open(name, java.util.EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                OWNER_ONLY);
    }

    /** A new empty directory in {@code tmp/}. */
    public Path newTempDirectory(String prefix) throws IOException {
        return Files.createTempDirectory(layout.tmp(), prefix);
    }

    /** Writes a (small) file whole and flushes it to the device, with one open. */
    public static void writeDurably(Path file, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    /** Flushes a file's bytes to the device, so that a rename after it never exposes a hole. */
    public static void fsync(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    /**
     * Renames a finished temp file into place, replacing what is there. Callers that must not
     * replace hold the entry's lock and check first.
     */
    public void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            move(temp, target);
        } catch (NoSuchFileException e) {
            // A shard directory is made by its first entry. Trying first spares every later
            // commit the mkdir that fails (and the exception the JDK builds for it): 3% of the
            // CPU of small uploads (async-profiler).
            Files.createDirectories(target.getParent());
            move(temp, target);
        }
    }

    private static void move(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("tmp/ and " + target.getParent() + " are not on one filesystem", e);
        }
    }

    /**
     * Links a finished temp file into place unless the target exists; for content-addressed
     * entries, where an existing file already holds the same bytes.
     *
     * @return true if this call created the target
     */
    public boolean linkIntoPlaceIfAbsent(Path temp, Path target) throws IOException {
        try {
            return link(temp, target);
        } catch (NoSuchFileException e) {
            Files.createDirectories(target.getParent()); // the shard's first entry (see moveIntoPlace)
            return link(temp, target);
        }
    }

    private static boolean link(Path temp, Path target) throws IOException {
        try {
            Files.createLink(target, temp);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    public static void deleteQuietly(Path path) {
        if (path == null) {
            return;
        }
        try {
            deleteRecursively(path);
        } catch (IOException | UncheckedIOException e) {
            LOG.log(Level.WARNING, "Could not delete " + path + ": " + e.getMessage());
        }
    }

    public static void deleteRecursively(Path path) throws IOException {
        if (Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> children = Files.newDirectoryStream(path)) {
                for (Path child : children) {
                    deleteRecursively(child);
                }
            }
        }
        Files.deleteIfExists(path);
    }
}
