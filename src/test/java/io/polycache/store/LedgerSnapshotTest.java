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

    private FileStore files() throws IOException {
        FileStore files = new FileStore(new ShardLayout(root));
        files.open();
        return files;
    }

    @Test
    void aCleanSnapshotRestoresSizesRecencyAndReferences() throws IOException {
        FileStore files = files();
        SpaceLedger before = SpaceLedger.unbounded();
        for (String name : List.of("old", "mid", "new")) {
            try (SpaceLedger.Reservation space = before.reserve(100)) {
                space.commit(EntryKind.ARTIFACT, name, 100);
            }
        }
        before.touch(EntryKind.ARTIFACT, "old");
        try (SpaceLedger.Reservation space = before.reserve(7)) {
            space.commit(EntryKind.BLOB, "blob", 7);
        }
        before.pinsBecomeReferences(List.of("blob"));
        LedgerSnapshot.save(before, files.layout().ledgerSnapshot(), files, true);

        List<String> evicted = new ArrayList<>();
        SpaceLedger after = new SpaceLedger(300, 310);
        after.register(EntryKind.ARTIFACT, evicted::add);
        assertTrue(LedgerSnapshot.load(after, files.layout().ledgerSnapshot()));

        assertEquals(307, after.used());
        assertArrayEquals(new long[] {3, 300}, after.countAndBytes(EntryKind.ARTIFACT));
        try (SpaceLedger.Reservation space = after.reserve(10)) {
            space.commit(EntryKind.ARTIFACT, "newer", 10);
        }
        assertEquals(List.of("mid"), evicted, "recency survived the restart");
        assertTrue(after.contains(EntryKind.BLOB, "blob"));
        after.dereference(List.of("blob"));
        assertFalse(after.contains(EntryKind.BLOB, "blob"), "its reference survived the restart");
    }

    @Test
    void aLoadedSnapshotCountsAsStaleUntilTheNextCleanShutdown() throws IOException {
        FileStore files = files();
        LedgerSnapshot.save(SpaceLedger.unbounded(), files.layout().ledgerSnapshot(), files, true);
        assertTrue(LedgerSnapshot.load(SpaceLedger.unbounded(), files.layout().ledgerSnapshot()));
        assertFalse(LedgerSnapshot.load(SpaceLedger.unbounded(), files.layout().ledgerSnapshot()));
    }

    @Test
    void noSnapshotMeansAScan() throws IOException {
        files();
        assertFalse(LedgerSnapshot.load(SpaceLedger.unbounded(), root.resolve("ledger.snapshot")));
    }

    @Test
    void aTruncatedSnapshotMeansAScan() throws IOException {
        FileStore files = files();
        SpaceLedger ledger = SpaceLedger.unbounded();
        try (SpaceLedger.Reservation space = ledger.reserve(5)) {
            space.commit(EntryKind.ARTIFACT, "x", 5);
        }
        Path file = files.layout().ledgerSnapshot();
        LedgerSnapshot.save(ledger, file, files, true);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        assertFalse(LedgerSnapshot.load(SpaceLedger.unbounded(), file));
    }

    @Test
    void aScanAccountsForArtifactsOnDiskAndForgetsMissingOnes() throws IOException {
        FileStore files = files();
        SpaceLedger ledger = SpaceLedger.unbounded();
        ArtifactStore store = new ArtifactStore(files, ledger);
        CacheKey key = CacheKey.parse("ab".repeat(16));
        Path temp = files.newTempFile(".zst");
        Files.writeString(temp, "12345");
        try (SpaceLedger.Reservation space = ledger.reserve(0)) {
            store.commit(key, temp, "{}".getBytes(), space);
        }
        SpaceLedger fresh = SpaceLedger.unbounded();
        fresh.restore(EntryKind.ARTIFACT, "cd".repeat(16), 99, 1, 0); // stale: not on disk

        new StoreScan(files.layout(), fresh, file -> java.util.List.of()).run();

        assertArrayEquals(new long[] {1, 7}, fresh.countAndBytes(EntryKind.ARTIFACT));
    }
}
