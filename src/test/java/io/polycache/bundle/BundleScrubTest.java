package io.polycache.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.store.BlobStore;
import io.polycache.store.EntryKind;
import io.polycache.store.StorageDirectory;
import io.polycache.store.Scrubber;
import io.polycache.store.Sha256;
import io.polycache.store.ShardLayout;
import io.polycache.store.SpaceLedger;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged dependency blob never leaves a bundle that answers a cache hit and fails its
 * download forever: the scrub (or the ZIP assembly that trips over it) drops every bundle naming
 * the blob, so the next install request installs it again.
 */
class BundleScrubTest {
    @TempDir
    Path storage;

    private StorageDirectory files;
    private SpaceLedger ledger;
    private BlobStore blobs;
    private BundleStore bundles;
    private TreeIngester ingester;

    private void open() throws IOException {
        files = new StorageDirectory(new ShardLayout(storage));
        files.open();
        ledger = new SpaceLedger(SpaceLedger.UNBOUNDED, SpaceLedger.UNBOUNDED);
        blobs = new BlobStore(files, ledger);
        bundles = new BundleStore(files, blobs, ledger);
        ingester = new TreeIngester(blobs);
    }

    /** Installs a tree with one file of its own content; returns the bundle and that file's blob. */
    private IndexEntry install(Sha256 hash, String content) throws IOException {
        Path project = files.newTempDirectory("project-");
        Path modules = Files.createDirectories(project.resolve("node_modules/pkg"));
        Files.writeString(modules.resolve("index.js"), content);
        List<IndexEntry> entries = ingester.ingest(project, "node_modules", List.of());
        bundles.commit(new BundleIndex(hash, "npm", Map.of("node", "20.0.0", "npm", "10.0.0"), "node_modules", entries));
        StorageDirectory.deleteRecursively(project);
        return entries.stream().filter(e -> !e.isLink()).findFirst().orElseThrow();
    }

    private void flipAByte(Sha256 blob) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(files.layout().object(blob).toFile(), "rw")) {
            raf.seek(raf.length() / 2);
            int b = raf.read();
            raf.seek(raf.length() / 2);
            raf.write(b ^ 0x40);
        }
    }

    @Test
    void theScrubDropsEveryBundleNamingADamagedBlobAndKeepsTheOthers() throws Exception {
        open();
        Sha256 damaged = new Sha256("a1".repeat(32));
        Sha256 sharing = new Sha256("b2".repeat(32));
        Sha256 healthy = new Sha256("c3".repeat(32));
        IndexEntry blob = install(damaged, "module.exports = 'damaged';\n".repeat(50));
        install(sharing, "module.exports = 'damaged';\n".repeat(50)); // the same blob
        install(healthy, "module.exports = 'healthy';\n".repeat(50));
        flipAByte(blob.blob());

        try (Scrubber scrubber = new Scrubber(64L << 20, 60_000, List.of(bundles::scrub)).start()) {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (scrubber.passes() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(1, scrubber.passes());
            assertEquals(1, scrubber.damaged(), "one damaged blob, found once");
            assertTrue(scrubber.verifiedBytes() > 0);
        }

        assertFalse(bundles.exists(damaged), "the next install request must install it again");
        assertFalse(bundles.exists(sharing), "every bundle naming the blob goes");
        assertTrue(bundles.exists(healthy));
        try (BundleStore.OpenBundle zip = bundles.open(healthy).orElseThrow()) {
            assertTrue(zip.size() > 0);
        }
        assertFalse(Files.exists(files.layout().object(blob.blob())), "the damaged blob is gone");
        assertEquals(1, ledger.countAndBytes(EntryKind.INDEX)[0], "the ledger forgot the dropped indexes");

        // Installing again heals it.
        install(damaged, "module.exports = 'damaged';\n".repeat(50));
        try (BundleStore.OpenBundle zip = bundles.open(damaged).orElseThrow()) {
            assertTrue(zip.size() > 0);
        }
    }

    /** One pass of a scrub over the bundles; returns the damage it found. */
    private long scrubOnce() throws Exception {
        try (Scrubber scrubber = new Scrubber(64L << 20, 60_000, List.of(bundles::scrub)).start()) {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (scrubber.passes() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(1, scrubber.passes());
            return scrubber.damaged();
        }
    }

    private byte[] download(Sha256 hash) throws IOException {
        try (BundleStore.OpenBundle zip = bundles.open(hash).orElseThrow()) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            java.nio.channels.Channels.newInputStream(zip.data()).transferTo(out);
            return out.toByteArray();
        }
    }

    @Test
    void aDamagedZipIsRemovedAndTheNextDownloadBuildsItAgain() throws Exception {
        open();
        Sha256 hash = new Sha256("e5".repeat(32));
        install(hash, "module.exports = 'zipped';\n".repeat(50));
        byte[] built = download(hash);
        Path zip = files.layout().bundle(hash);

        assertEquals(0, scrubOnce(), "a good ZIP is not damage");
        assertArrayEquals(built, Files.readAllBytes(zip), "and stays as it was");

        try (RandomAccessFile raf = new RandomAccessFile(zip.toFile(), "rw")) {
            raf.seek(raf.length() / 2);
            int b = raf.read();
            raf.seek(raf.length() / 2);
            raf.write(b ^ 0x40);
        }
        assertEquals(1, scrubOnce());
        assertFalse(Files.exists(zip), "the damaged ZIP is gone");
        assertEquals(0, ledger.countAndBytes(EntryKind.BUNDLE)[0], "and the ledger forgot it");
        assertTrue(bundles.exists(hash), "the bundle itself is sound: its index and blobs stay");
        assertArrayEquals(built, download(hash), "the next download builds the same bytes again");
    }

    @Test
    void aDownloadThatFindsADamagedBlobDropsTheBundleSoItHeals() throws Exception {
        open();
        Sha256 hash = new Sha256("d4".repeat(32));
        IndexEntry blob = install(hash, "module.exports = 'zip';\n".repeat(50));
        flipAByte(blob.blob());

        assertTrue(bundles.exists(hash));
        assertTrue(bundles.open(hash).isEmpty(), "a damaged blob is a missing bundle, never a failing one");
        assertFalse(bundles.exists(hash), "so the next install request installs it again");
        assertEquals(0, ledger.countAndBytes(EntryKind.INDEX)[0]);

        install(hash, "module.exports = 'zip';\n".repeat(50));
        try (BundleStore.OpenBundle zip = bundles.open(hash).orElseThrow()) {
            assertTrue(zip.size() > 0, "reinstalled and served");
        }
    }
}
