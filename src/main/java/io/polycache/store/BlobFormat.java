package io.polycache.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * The format of the dependency cache's blobs, recorded in {@code <storageDir>/objects.format}.
 *
 * <p>Format 2 stores blobs raw-deflated, with indexes (index format 2) that carry what the ZIP
 * needs to copy them. Blobs of format 1 (the plain content, under the same names) cannot be told
 * apart from format-2 blobs by their name, so a store without the marker that holds a
 * dependency cache has it removed at start-up — indexes first (a bundle stops existing), then
 * the ZIPs and the blobs, and the ledger snapshot, so the ledger is rebuilt by a scan. It is a
 * cache: the next request for each bundle installs it again. Artifacts are not touched.
 */
public final class BlobFormat {
    private static final Logger LOG = Logger.getLogger(BlobFormat.class.getName());

    static final String CURRENT = "2";
    static final String MARKER = "objects.format";

    private BlobFormat() {}

    /**
     * Brings the store to the current blob format; call after {@link StorageDirectory#open} and before
     * the ledger is loaded.
     *
     * @return whether a dependency cache of an older format was removed
     */
    public static boolean upgrade(StorageDirectory files) throws IOException {
        ShardLayout layout = files.layout();
        Path marker = layout.root().resolve(MARKER);
        if (Files.isRegularFile(marker)
                && Files.readString(marker, StandardCharsets.US_ASCII).strip().equals(CURRENT)) {
            return false;
        }
        boolean removed = false;
        if (Files.exists(layout.indexesDir()) || Files.exists(layout.objectsDir())
                || Files.exists(layout.bundlesDir())) {
            LOG.warning("The dependency cache in " + layout.root() + " stores blobs in an older format: removing"
                    + " its indexes, bundles and blobs (each bundle is installed again on its next request)");
            StorageDirectory.deleteRecursively(layout.indexesDir());
            StorageDirectory.deleteRecursively(layout.bundlesDir());
            StorageDirectory.deleteRecursively(layout.objectsDir());
            Files.deleteIfExists(layout.ledgerSnapshot());
            removed = true;
        }
        Path temp = files.newTempFile(".format");
        try {
            StorageDirectory.writeDurably(temp, (CURRENT + "\n").getBytes(StandardCharsets.US_ASCII));
            files.moveIntoPlace(temp, marker);
        } finally {
            Files.deleteIfExists(temp);
        }
        return removed;
    }
}
