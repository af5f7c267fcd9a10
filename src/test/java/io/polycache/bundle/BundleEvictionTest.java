package io.polycache.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.store.BlobStore;
import io.polycache.store.EntryKind;
import io.polycache.store.StorageDirectory;
import io.polycache.store.LedgerSnapshot;
import io.polycache.store.Sha256;
import io.polycache.store.ShardLayout;
import io.polycache.store.SpaceLedger;
import io.polycache.store.StoreScan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bundles, indexes and blobs under a size limit: what goes with what. */
class BundleEvictionTest {
    @TempDir
    Path storage;

    private StorageDirectory files;
    private SpaceLedger ledger;
    private BlobStore blobs;
    private BundleStore bundles;
    private TreeIngester ingester;

    private void open(long limit) throws IOException {
        files = new StorageDirectory(new ShardLayout(storage));
        files.open();
        ledger = new SpaceLedger(limit, limit);
        blobs = new BlobStore(files, ledger);
        bundles = new BundleStore(files, blobs, ledger);
        ingester = new TreeIngester(blobs);
    }

    /** Installs a tree with a file shared by every project and one of its own. */
    private Sha256 install(String name, int ownBytes) throws IOException {
        Path project = files.newTempDirectory("project-");
        Path modules = Files.createDirectories(project.resolve("node_modules/" + name));
        Files.writeString(Files.createDirectories(project.resolve("node_modules/shared")).resolve("index.js"),
                "module.exports = 'shared';\n");
        Files.write(modules.resolve("own.bin"), (name + "x".repeat(ownBytes)).getBytes());
        Sha256 hash = new Sha256(PolykitSha.hex(name));
        List<IndexEntry> entries = ingester.ingest(project, "node_modules", List.of());
        bundles.commit(new BundleIndex(hash, "npm", Map.of("node", "20.0.0", "npm", "10.0.0"), "node_modules", entries));
        StorageDirectory.deleteRecursively(project);
        return hash;
    }

    private long objectFiles() throws IOException {
        if (!Files.isDirectory(storage.resolve("objects"))) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(storage.resolve("objects"))) {
            return walk.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void evictingABundleKeepsTheBlobsAnotherBundleHolds() throws IOException {
        open(SpaceLedger.UNBOUNDED);
        Sha256 first = install("first", 1000);
        Sha256 second = install("second", 1000);
        assertEquals(3, objectFiles(), "shared blob stored once");
        assertTrue(bundles.open(first).isPresent());

        // Make the first bundle the least recently used, then squeeze the cache.
        bundles.exists(second);
        SpaceLedger squeezed = ledger;
        long used = squeezed.used();
        reopenWithLimit(used - 100);

        try (SpaceLedger.Reservation space = ledger.reserve(50)) {
            space.commit(EntryKind.ENTRY, "ab".repeat(16), 50);
        }

        assertFalse(bundles.exists(first), "the least recently used bundle stayed");
        assertTrue(bundles.exists(second));
        assertEquals(2, objectFiles(), "the shared blob must stay, the first bundle's own must go");
        try (BundleStore.OpenBundle zip = bundles.open(second).orElseThrow()) {
            assertTrue(zip.size() > 0, "the surviving bundle still builds from its blobs");
        }
        assertFalse(Files.exists(storage.resolve("bundles").resolve(first.value().substring(0, 2))
                .resolve(first.value().substring(2, 4)).resolve(first.value() + ".zip")));
    }

    /** Restarts the stores on the same directory with a new limit (snapshot and all). */
    private void reopenWithLimit(long limit) throws IOException {
        LedgerSnapshot.save(ledger, files.layout().ledgerSnapshot(), files, true);
        files = new StorageDirectory(new ShardLayout(storage));
        ledger = new SpaceLedger(limit, limit);
        blobs = new BlobStore(files, ledger);
        bundles = new BundleStore(files, blobs, ledger);
        ingester = new TreeIngester(blobs);
        new io.polycache.store.fs.FsEntryStore(files, ledger); // every store registers before the ledger loads
        assertTrue(LedgerSnapshot.load(ledger, files.layout().ledgerSnapshot()));
    }

    @Test
    void aFailedIngestLeavesNoBlobBehind() throws IOException {
        open(SpaceLedger.UNBOUNDED);
        install("kept", 10);
        long before = objectFiles();
        Path project = files.newTempDirectory("project-");
        Path modules = Files.createDirectories(project.resolve("node_modules/pkg"));
        Files.writeString(modules.resolve("a.js"), "fresh content a\n");
        Files.writeString(modules.resolve("b.js"), "fresh content b\n");
        List<IndexEntry> entries = ingester.ingest(project, "node_modules", List.of());
        assertEquals(before + 2, objectFiles());

        blobs.unpin(BundleIndex.blobsOf(entries)); // the install gave up before its index

        assertEquals(before, objectFiles());
        assertEquals(before, ledger.countAndBytes(EntryKind.BLOB)[0]);
    }

    @Test
    void aScanAfterACrashAccountsForEverythingAndDropsOrphanBlobs() throws IOException {
        open(SpaceLedger.UNBOUNDED);
        Sha256 hash = install("scanned", 100);
        bundles.open(hash).orElseThrow().close();
        // An orphan: a blob whose install crashed before writing its index.
        Path orphan = files.layout().object(new Sha256("cd".repeat(32)));
        Files.createDirectories(orphan.getParent());
        Files.writeString(orphan, "orphan");
        long used = ledger.used();

        SpaceLedger fresh = new SpaceLedger(SpaceLedger.UNBOUNDED, SpaceLedger.UNBOUNDED);
        BlobStore freshBlobs = new BlobStore(files, fresh);
        new BundleStore(files, freshBlobs, fresh);
        new io.polycache.store.fs.FsEntryStore(files, fresh);
        new StoreScan(files.layout(), fresh, freshBlobs.references(), BundleStore::blobsOfIndexFile).run();

        assertEquals(used, fresh.used());
        assertFalse(Files.exists(orphan));
        assertEquals(1, fresh.countAndBytes(EntryKind.INDEX)[0]);
        assertEquals(1, fresh.countAndBytes(EntryKind.BUNDLE)[0]);
    }

    /** Bundle hashes for the test: any 64 hex characters. */
    private static final class PolykitSha {
        static String hex(String name) {
            return io.polycache.testing.PolykitArtifact.sha256(name.getBytes());
        }
    }
}
