package io.polycache.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Files left in a storage directory's {@code tmp/} (uploads write in its subdirectories). */
public final class TempFiles {
    private TempFiles() {}

    /** How long {@link #left} lets writes in flight end. */
    private static final int SETTLE_SECONDS = 5;

    /**
     * The files left under {@code dir}: none, or those still there after writes in flight had
     * {@value #SETTLE_SECONDS} seconds to end. Besides a request's unfinished write, the store
     * writes its own records through {@code tmp/} in the background (the entries' checkpoint
     * about once a second, the ledger's snapshot, a health probe): one of those is briefly there
     * at any moment, a file left behind stays.
     */
    public static List<Path> left(Path dir) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SETTLE_SECONDS);
        List<Path> files = under(dir);
        while (!files.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            files = under(dir);
        }
        return files;
    }

    /** The regular files anywhere under {@code dir} now, none if it does not exist. */
    public static List<Path> under(Path dir) throws IOException {
        while (true) {
            try (Stream<Path> paths = Files.walk(dir)) {
                return paths.filter(Files::isRegularFile).toList();
            } catch (NoSuchFileException e) {
                return List.of();
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof NoSuchFileException)) {
                    throw e.getCause();
                }
                // a file went between listing and reading its attributes: walk again
            }
        }
    }
}
