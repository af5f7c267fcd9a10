package io.polycache.boot;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * One Polycache per storage directory. Two processes on one directory would each empty the
 * other's {@code tmp/} at start-up and overwrite each other's ledger snapshot, so the first
 * holds an exclusive lock on {@code polycache.lock} (released by the OS if it dies) and writes
 * who it is into the file; a second one reads that and refuses to start.
 */
final class StorageLock implements AutoCloseable {
    static final String FILE = "polycache.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private StorageLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The directory is in use by another process (or another webapp in this one). */
    static final class HeldException extends Exception {
        HeldException(String message) {
            super(message);
        }
    }

    /**
     * Takes the lock of {@code storageDir}, creating the directory if needed.
     *
     * @param holder how this process describes itself to a second one, e.g. its server and context
     */
    static StorageLock acquire(Path storageDir, String holder) throws IOException, HeldException {
        Files.createDirectories(storageDir);
        Path file = storageDir.resolve(FILE);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by another webapp of this very JVM
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String current;
            try {
                current = Files.readString(file, StandardCharsets.UTF_8).strip();
            } finally {
                channel.close();
            }
            throw new HeldException("storage directory " + storageDir + " is in use by another Polycache ("
                    + (current.isEmpty() ? "holder unknown" : current) + "); stop it, or give this one another "
                    + "storage directory (--storage-dir, polycache.storageDir)");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((describe(holder) + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(false);
        return new StorageLock(channel, lock);
    }

    private static String describe(String holder) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown host";
        }
        return "pid " + ProcessHandle.current().pid() + " on " + host + ", " + holder + ", since "
                + Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // closing the channel releases the lock; the OS does it at exit anyway
        }
    }
}
