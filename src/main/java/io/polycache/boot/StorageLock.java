package io.polycache.boot;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
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

    /** Prefix of this JVM's record of the directories its webapps hold. */
    private static final String JVM_KEY = "io.polycache.storageLock:";

    private final FileChannel channel;
    private final FileLock lock;
    private final String inJvm;

    private StorageLock(FileChannel channel, FileLock lock, String inJvm) {
        this.channel = channel;
        this.lock = lock;
        this.inJvm = inJvm;
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
        String description = describe(holder);
        // Within one JVM (two webapps of one Tomcat) the OS lock cannot tell: and opening and
        // closing the file here would drop the other webapp's lock (POSIX releases a process's
        // locks on a file when it closes any descriptor of it). So this JVM keeps its own record,
        // in the system properties, which every webapp's class loader shares.
        String inJvm = JVM_KEY + storageDir.toAbsolutePath().normalize();
        Object previous = System.getProperties().putIfAbsent(inJvm, description);
        if (previous != null) {
            throw held(storageDir, previous.toString());
        }
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            if (lock == null) { // another process; it keeps its lock, as no descriptor of it is closed
                String current;
                try {
                    current = Files.readString(file, StandardCharsets.UTF_8).strip();
                } finally {
                    channel.close();
                }
                throw held(storageDir, current);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((description + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            return new StorageLock(channel, lock, inJvm);
        } catch (IOException | HeldException | RuntimeException e) {
            System.getProperties().remove(inJvm, description);
            throw e;
        }
    }

    private static HeldException held(Path storageDir, String holder) {
        return new HeldException("storage directory " + storageDir + " is in use by another Polycache ("
                + (holder.isEmpty() ? "holder unknown" : holder) + "); stop it, or give this one another "
                + "storage directory (--storage-dir, polycache.storageDir)");
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
        } finally {
            System.getProperties().remove(inJvm);
        }
    }
}
