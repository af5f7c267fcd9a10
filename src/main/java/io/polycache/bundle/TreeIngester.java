package io.polycache.bundle;

import io.polycache.store.BlobStore;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Turns an installed tree into index entries, storing each regular file as a blob.
 *
 * <p>The whole tree is checked before the first blob is stored, so that a tree that cannot be
 * a bundle (a link out of it) leaves nothing in the store. Every stored blob stays pinned for
 * the install until its index is committed ({@link BundleStore#commit}); when storing fails
 * midway, the pins are given up again.
 */
public final class TreeIngester {
    private static final Logger LOG = Logger.getLogger(TreeIngester.class.getName());

    private final BlobStore blobs;

    public TreeIngester(BlobStore blobs) {
        this.blobs = blobs;
    }

    private record Found(String path, Path file, boolean executable, String linkTarget) {}

    /**
     * @param projectDir    the directory the install ran in, under {@code tmp/}
     * @param root          the folder the install filled ({@code node_modules}, {@code vendor});
     *                      a missing folder is an empty tree
     * @param topLevelFiles files directly in the project directory to keep as well
     * @throws UnsafeEntryException if an entry could escape the bundle
     */
    public List<IndexEntry> ingest(Path projectDir, String root, List<String> topLevelFiles) throws IOException {
        List<Found> found = new ArrayList<>();
        Path rootDir = projectDir.resolve(root);
        if (Files.isDirectory(rootDir, LinkOption.NOFOLLOW_LINKS)) {
            scan(projectDir, rootDir, found);
        }
        for (String name : topLevelFiles) {
            Path file = projectDir.resolve(name);
            if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                found.add(new Found(name, file, false, null));
            }
        }
        for (Found f : found) {
            BundlePaths.check(root, f.linkTarget() != null ? IndexEntry.link(f.path(), f.linkTarget())
                    : IndexEntry.file(f.path(), null, 0, false));
        }
        List<IndexEntry> entries = new ArrayList<>(found.size());
        try {
            for (Found f : found) {
                if (f.linkTarget() != null) {
                    entries.add(IndexEntry.link(f.path(), f.linkTarget()));
                } else {
                    BlobStore.Blob blob = blobs.putFromTmp(f.file());
                    entries.add(IndexEntry.file(f.path(), blob.sha256(), blob.size(), f.executable(), blob.crc32(),
                            blob.storedSize(), blob.storedSha256()));
                }
            }
        } catch (IOException | RuntimeException e) {
            // Give up the blobs stored so far; those no other bundle holds are deleted.
            blobs.unpin(BundleIndex.blobsOf(entries));
            throw e;
        }
        return entries;
    }

    private static void scan(Path projectDir, Path rootDir, List<Found> found) throws IOException {
        Files.walkFileTree(rootDir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String path = relative(projectDir, file);
                if (attrs.isSymbolicLink()) {
                    found.add(new Found(path, file, false, Files.readSymbolicLink(file).toString()));
                } else if (attrs.isRegularFile()) {
                    boolean executable = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)
                            .contains(PosixFilePermission.OWNER_EXECUTE);
                    found.add(new Found(path, file, executable, null));
                } else {
                    // A FIFO or socket has no bytes to cache.
                    LOG.fine("Skipping special file " + path);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static String relative(Path base, Path file) {
        StringBuilder path = new StringBuilder();
        for (Path segment : base.relativize(file)) {
            if (path.length() > 0) {
                path.append('/');
            }
            path.append(segment);
        }
        return path.toString();
    }
}
