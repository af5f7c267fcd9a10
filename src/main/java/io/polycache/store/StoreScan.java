package io.polycache.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.SimpleFileVisitor;
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
    private final BlobReferences references;

    /** A scan of a store that holds entries only (a node's local tier over a shared bucket). */
    public static StoreScan entriesOnly(ShardLayout layout, SpaceLedger ledger) {
        return new StoreScan(layout, ledger, null, null);
    }

    /**
     * @param references  null, with {@code indexReader}, for a store of entries only
     */
    public StoreScan(ShardLayout layout, SpaceLedger ledger, BlobReferences references, IndexReader indexReader) {
        this.layout = layout;
        this.ledger = ledger;
        this.references = references;
        this.indexReader = indexReader;
    }

    /** Scans every kind; returns the number of entries found on disk. */
    public long run() throws IOException {
        long started = System.nanoTime();
        if (references == null) {
            ledger.checkEvictors(EntryKind.ENTRY);
            long found = scanEntries();
            LOG.info("Store scan accounted for " + found + " entries, " + ledger.used() + " bytes, in "
                    + (System.nanoTime() - started) / 1_000_000 + " ms");
            return found;
        }
        ledger.checkEvictors(EntryKind.values());
        long found = scanEntries();
        found += scanPlain(EntryKind.BLOB, layout.objectsDir(), "");
        found += scanIndexes();
        found += scanPlain(EntryKind.BUNDLE, layout.bundlesDir(), ".zip");
        // Blobs no index names were left by an install that crashed before its index.
        references.sweepUnreferenced();
        LOG.info("Store scan accounted for " + found + " entries, " + ledger.used() + " bytes, in "
                + (System.nanoTime() - started) / 1_000_000 + " ms");
        return found;
    }

    /** Entry files, {@code entries/<namespace>/aa/bb/<key>}: namespaces have one segment or more. */
    private long scanEntries() throws IOException {
        long[] found = {0};
        Path base = layout.entriesDir();
        if (Files.isDirectory(base)) {
            Files.walkFileTree(base, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    String name = ledgerNameOf(base.relativize(file));
                    if (name != null && attributes.isRegularFile()) {
                        ledger.restore(EntryKind.ENTRY, name, attributes.size(),
                                attributes.lastModifiedTime().toMillis() * 1000, 0);
                        found[0]++;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // removed while scanning
                }
            });
        }
        forgetMissing(EntryKind.ENTRY, StoreScan.this::entryPath);
        return found[0];
    }

    /** {@code <namespace>/<key>} for a path below {@code entries/}, or null if it is not an entry's. */
    public static String ledgerNameOf(Path relative) {
        int n = relative.getNameCount();
        if (n < 4) {
            return null;
        }
        String namespace = relative.subpath(0, n - 3).toString().replace(java.io.File.separatorChar, '/');
        String key = relative.getName(n - 1).toString();
        if (!Namespace.isValid(namespace) || !Names.isSafeSegment(key, EntryKey.MAX_LENGTH)) {
            return null;
        }
        return namespace + '/' + key;
    }

    private Path entryPath(String name) {
        int slash = name.lastIndexOf('/');
        if (slash <= 0 || !Namespace.isValid(name.substring(0, slash))
                || !Names.isSafeSegment(name.substring(slash + 1), EntryKey.MAX_LENGTH)) {
            return null;
        }
        return layout.entry(new Namespace(name.substring(0, slash), WritePolicy.REPLACE),
                new EntryKey(name.substring(slash + 1)));
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
                    blobs.forEach(references::reference);
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
    public interface FileVisitor {
        void accept(Path file) throws IOException;
    }

    /** Calls {@code visitor} for every file two shard levels below {@code base}, streaming. */
    public static void forEachShardedFile(Path base, FileVisitor visitor) throws IOException {
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
