package io.polycache.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerSnapshotTest {
    @TempDir
    Path root;

    private static SpaceLedger registerAll(SpaceLedger ledger) {
        for (EntryKind kind : EntryKind.values()) {
            ledger.register(kind, name -> {});
        }
        return ledger;
    }

    private StorageDirectory files() throws IOException {
        StorageDirectory files = new StorageDirectory(new ShardLayout(root));
        files.open();
        return files;
    }

    @Test
    void aCleanSnapshotRestoresSizesRecencyAndReferences() throws IOException {
        StorageDirectory files = files();
        SpaceLedger before = SpaceLedger.unbounded();
        for (String name : List.of("old", "mid", "new")) {
            try (SpaceLedger.Reservation space = before.reserve(100)) {
                space.commit(EntryKind.ENTRY, name, 100);
            }
        }
        before.touch(EntryKind.ENTRY, "old");
        BlobReferences references = new BlobReferences(before);
        try (SpaceLedger.Reservation space = before.reserve(7)) {
            references.commit(space, "blob", 7);
        }
        references.pinsBecomeReferences(List.of("blob"));
        LedgerSnapshot.save(before, files.layout().ledgerSnapshot(), files, true);

        List<String> evicted = new ArrayList<>();
        SpaceLedger after = registerAll(new SpaceLedger(300, 310));
        after.register(EntryKind.ENTRY, evicted::add);
        assertTrue(LedgerSnapshot.load(after, files.layout().ledgerSnapshot()));

        assertEquals(307, after.used());
        assertArrayEquals(new long[] {3, 300}, after.countAndBytes(EntryKind.ENTRY));
        try (SpaceLedger.Reservation space = after.reserve(10)) {
            space.commit(EntryKind.ENTRY, "newer", 10);
        }
        assertEquals(List.of("mid"), evicted, "recency survived the restart");
        assertTrue(after.contains(EntryKind.BLOB, "blob"));
        new BlobReferences(after).dereference(List.of("blob"));
        assertFalse(after.contains(EntryKind.BLOB, "blob"), "its reference survived the restart");
    }

    @Test
    void aLoadedSnapshotCountsAsStaleUntilTheNextCleanShutdown() throws IOException {
        StorageDirectory files = files();
        LedgerSnapshot.save(SpaceLedger.unbounded(), files.layout().ledgerSnapshot(), files, true);
        assertTrue(LedgerSnapshot.load(registerAll(SpaceLedger.unbounded()), files.layout().ledgerSnapshot()));
        assertFalse(LedgerSnapshot.load(registerAll(SpaceLedger.unbounded()), files.layout().ledgerSnapshot()));
    }

    @Test
    void noSnapshotMeansAScan() throws IOException {
        files();
        assertFalse(LedgerSnapshot.load(registerAll(SpaceLedger.unbounded()), root.resolve("ledger.snapshot")));
    }

    @Test
    void aTruncatedSnapshotMeansAScan() throws IOException {
        StorageDirectory files = files();
        SpaceLedger ledger = SpaceLedger.unbounded();
        try (SpaceLedger.Reservation space = ledger.reserve(5)) {
            space.commit(EntryKind.ENTRY, "x", 5);
        }
        Path file = files.layout().ledgerSnapshot();
        LedgerSnapshot.save(ledger, file, files, true);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        assertFalse(LedgerSnapshot.load(registerAll(SpaceLedger.unbounded()), file));
    }

    @Test
    void aScanAccountsForArtifactsOnDiskAndForgetsMissingOnes() throws IOException {
        StorageDirectory files = files();
        SpaceLedger ledger = SpaceLedger.unbounded();
        Namespace namespace = new Namespace("turbo/web", WritePolicy.REPLACE);
        try (io.polycache.store.fs.FsEntryStore store = new io.polycache.store.fs.FsEntryStore(files, ledger)) {
            store.put(namespace, new EntryKey("ab".repeat(8)), new java.io.ByteArrayInputStream("12345".getBytes()), 5,
                    EntryVerifier.NONE, java.util.Map.of());
        }
        long onDisk = ledger.used();
        SpaceLedger fresh = SpaceLedger.unbounded();
        fresh.restore(EntryKind.ENTRY, "polykit/" + "cd".repeat(16), 99, 1, 0); // stale: not on disk

        registerAll(fresh);
        new StoreScan(files.layout(), fresh, new BlobReferences(fresh), file -> java.util.List.of()).run();

        assertArrayEquals(new long[] {1, onDisk}, fresh.countAndBytes(EntryKind.ENTRY));
        assertTrue(fresh.contains(EntryKind.ENTRY, "turbo/web/" + "ab".repeat(8)));
        assertArrayEquals(new long[] {1, onDisk}, fresh.countAndBytes("turbo"));
    }
}
