package io.polycache.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Brings the ledger in line with the files, after a crash or on a storage directory the ledger
 * has never seen: adds what is on disk and not accounted (recency from the file's modification
 * time), forgets what is accounted and gone. Runs in the background while the server serves.
 */
public final class StoreScan {
    private static final Logger LOG = Logger.getLogger(StoreScan.class.getName());

    /** Reads the blobs an index file names (the store does not know the index format). */
    @FunctionalInterface
    public interface IndexReader {
        List<String> blobsOf(Path indexFile) throws IOException;
    }

    private final ShardLayout layout;
    private final SpaceLedger ledger;
    private final IndexReader indexReader;

    public StoreScan(ShardLayout layout, SpaceLedger ledger, IndexReader indexReader) {
        this.layout = layout;
        this.ledger = ledger;
        this.indexReader = indexReader;
    }

    /** Scans every kind; returns the number of entries found on disk. */
    public long run() throws IOException {
        long started = System.nanoTime();
        long found = scanArtifacts();
        found += scanPlain(EntryKind.BLOB, layout.objectsDir(), "");
        found += scanIndexes();
        found += scanPlain(EntryKind.BUNDLE, layout.bundlesDir(), ".zip");
        // Blobs no index names were left by an install that crashed before its index.
        ledger.sweepUnreferencedBlobs();
        LOG.info("Store scan accounted for " + found + " entries, " + ledger.used() + " bytes, in "
                + (System.nanoTime() - started) / 1_000_000 + " ms");
        return found;
    }

    private long scanArtifacts() throws IOException {
        long[] found = {0};
        forEachShardedFile(layout.artifactsDir(), file -> {
            String fileName = file.getFileName().toString();
            if (!fileName.endsWith(".json")) {
                return;
            }
            String key = fileName.substring(0, fileName.length() - ".json".length());
            try {
                BasicFileAttributes meta = Files.readAttributes(file, BasicFileAttributes.class);
                long data = Files.size(file.resolveSibling(key + ".zst"));
                ledger.restore(EntryKind.ARTIFACT, key, meta.size() + data, meta.lastModifiedTime().toMillis() * 1000, 0);
                found[0]++;
            } catch (NoSuchFileException e) {
                // removed while scanning
            }
        });
        forgetMissing(EntryKind.ARTIFACT, name -> {
            try {
                return layout.artifactMetadata(new CacheKey(name));
            } catch (InvalidKeyException e) {
                return null;
            }
        });
        return found[0];
    }

    /** Files named {@code <name><suffix>}, one entry each. */
    private long scanPlain(EntryKind kind, Path dir, String suffix) throws IOException {
        long[] found = {0};
        forEachShardedFile(dir, file -> {
            String fileName = file.getFileName().toString();
            if (!fileName.endsWith(suffix)) {
                return;
            }
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                ledger.restore(kind, fileName.substring(0, fileName.length() - suffix.length()), attributes.size(),
                        attributes.lastModifiedTime().toMillis() * 1000, 0);
                found[0]++;
            } catch (NoSuchFileException e) {
                // removed while scanning
            }
        });
        forgetMissing(kind, name -> shardedPath(dir, name, suffix));
        return found[0];
    }

    /** Indexes, each holding a reference on the blobs it names (unless already accounted). */
    private long scanIndexes() throws IOException {
        long[] found = {0};
        forEachShardedFile(layout.indexesDir(), file -> {
            String fileName = file.getFileName().toString();
            if (!fileName.endsWith(".index")) {
                return;
            }
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                List<String> blobs = indexReader.blobsOf(file);
                String name = fileName.substring(0, fileName.length() - ".index".length());
                if (ledger.restore(EntryKind.INDEX, name, attributes.size(),
                        attributes.lastModifiedTime().toMillis() * 1000, 0)) {
                    blobs.forEach(ledger::reference);
                }
                found[0]++;
            } catch (NoSuchFileException e) {
                // removed while scanning
            } catch (IOException e) {
                LOG.warning("Unreadable index " + file + ": " + e.getMessage());
            }
        });
        forgetMissing(EntryKind.INDEX, name -> name.length() < 4 ? null
                : shardedPath(layout.indexesDir(), name, ".index"));
        return found[0];
    }

    private static Path shardedPath(Path dir, String name, String suffix) {
        if (name.length() < 4 || name.contains("/")) {
            return null;
        }
        return ShardLayout.shard(dir, name).resolve(name + suffix);
    }

    /** Forgets accounted entries whose file is gone (or whose name is not valid for its kind). */
    private void forgetMissing(EntryKind kind, Function<String, Path> fileOf) {
        List<String> missing = new ArrayList<>();
        for (SpaceLedger.Entry entry : ledger.entries()) {
            if (entry.kind == kind) {
                Path file = fileOf.apply(entry.name);
                if (file == null || !Files.exists(file)) {
                    missing.add(entry.name);
                }
            }
        }
        for (String name : missing) {
            ledger.removed(kind, name);
        }
    }

    /** Visits one file of a scan. */
    @FunctionalInterface
    interface FileVisitor {
        void accept(Path file) throws IOException;
    }

    /** Calls {@code visitor} for every file two shard levels below {@code base}, streaming. */
    static void forEachShardedFile(Path base, FileVisitor visitor) throws IOException {
        if (!Files.isDirectory(base)) {
            return;
        }
        try (DirectoryStream<Path> first = Files.newDirectoryStream(base, Files::isDirectory)) {
            for (Path a : first) {
                try (DirectoryStream<Path> second = Files.newDirectoryStream(a, Files::isDirectory)) {
                    for (Path b : second) {
                        try (DirectoryStream<Path> leaves = Files.newDirectoryStream(b)) {
                            for (Path leaf : leaves) {
                                visitor.accept(leaf);
                            }
                        }
                    }
                }
            }
        }
    }
}
