package io.polycache.bundle;

import io.polycache.store.ShardLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Counts and bytes of what the dependency cache holds, from the storage directory itself (so
 * they are right after a restart). A walk per call: fine for an operator's page, not a hot path.
 */
public final class BundleStats {
    private final ShardLayout layout;

    public BundleStats(ShardLayout layout) {
        this.layout = layout;
    }

    public record Tally(long count, long bytes) {}

    /**
     * @param installedBytes sum of the installed file sizes over all indexes, before deduplication
     */
    public record Snapshot(Tally bundles, Tally blobs, Tally indexes, long installedBytes) {
        /** Installed bytes per stored blob byte; 0 when nothing is stored. */
        public double deduplicationRatio() {
            return blobs.bytes() == 0 ? 0 : (double) installedBytes / blobs.bytes();
        }
    }

    public Snapshot snapshot() throws IOException {
        long[] installed = {0};
        Tally indexes = tally(layout.indexesDir(), file -> {
            try (InputStream in = Files.newInputStream(file)) {
                installed[0] += IndexCodec.installedBytes(in);
            }
        });
        return new Snapshot(tally(layout.bundlesDir(), file -> {}), tally(layout.objectsDir(), file -> {}),
                indexes, installed[0]);
    }

    private interface FileVisitor {
        void visit(Path file) throws IOException;
    }

    private static Tally tally(Path dir, FileVisitor visitor) throws IOException {
        if (!Files.isDirectory(dir)) {
            return new Tally(0, 0);
        }
        long count = 0;
        long bytes = 0;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                try {
                    bytes += Files.size(file);
                    visitor.visit(file);
                    count++;
                } catch (NoSuchFileException e) {
                    // removed while counting
                }
            }
        }
        return new Tally(count, bytes);
    }
}
