package io.polycache.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlobReferencesTest {
    private final List<String> evicted = new ArrayList<>();

    private SpaceLedger ledger(long soft, long hard) {
        SpaceLedger ledger = new SpaceLedger(soft, hard);
        for (EntryKind kind : EntryKind.values()) {
            ledger.register(kind, name -> evicted.add(kind + ":" + name));
        }
        return ledger;
    }

    /** A blob stored by an install, pinned for it. */
    private static void addBlob(BlobReferences refs, SpaceLedger ledger, String sha, long size) {
        try (SpaceLedger.Reservation space = ledger.reserve(size)) {
            assertTrue(refs.commit(space, sha, size));
        }
    }

    @Test
    void aBlobSharedByASurvivingIndexSurvives() {
        SpaceLedger ledger = ledger(SpaceLedger.UNBOUNDED, SpaceLedger.UNBOUNDED);
        BlobReferences refs = new BlobReferences(ledger);
        addBlob(refs, ledger, "shared", 10);
        addBlob(refs, ledger, "only-one", 10);
        refs.pinsBecomeReferences(List.of("shared", "only-one")); // index one
        assertTrue(refs.pin("shared"));
        refs.pinsBecomeReferences(List.of("shared")); // index two

        refs.dereference(List.of("shared", "only-one")); // index one evicted

        assertEquals(List.of("BLOB:only-one"), evicted);
        assertTrue(ledger.contains(EntryKind.BLOB, "shared"));
        assertArrayEquals(new long[] {1, 10}, ledger.countAndBytes(EntryKind.BLOB));
        refs.dereference(List.of("shared"));
        assertFalse(ledger.contains(EntryKind.BLOB, "shared"));
        assertEquals(0, ledger.used());
        assertArrayEquals(new long[] {0, 0}, ledger.countAndBytes(EntryKind.BLOB));
    }

    @Test
    void aBlobPinnedByAnInstallInFlightOutlivesItsLastIndex() {
        SpaceLedger ledger = ledger(SpaceLedger.UNBOUNDED, SpaceLedger.UNBOUNDED);
        BlobReferences refs = new BlobReferences(ledger);
        addBlob(refs, ledger, "b", 10);
        refs.pinsBecomeReferences(List.of("b"));
        assertTrue(refs.pin("b")); // a new install uses it

        refs.dereference(List.of("b"));
        assertTrue(ledger.contains(EntryKind.BLOB, "b"));

        refs.unpin(List.of("b")); // the install failed
        assertFalse(ledger.contains(EntryKind.BLOB, "b"));
        assertFalse(refs.pin("b"), "a gone blob must be written anew");
    }

    @Test
    void blobsAreNeverEvictedByTheLruThemselves() {
        SpaceLedger ledger = ledger(100, 100);
        BlobReferences refs = new BlobReferences(ledger);
        addBlob(refs, ledger, "b", 60);
        refs.pinsBecomeReferences(List.of("b"));
        assertThrows(InsufficientStorageException.class, () -> ledger.reserve(60));
        assertTrue(ledger.contains(EntryKind.BLOB, "b"));
    }

    @Test
    void aSecondInstallStoringTheSameBlobPinsTheFirstOnesCopy() {
        SpaceLedger ledger = ledger(SpaceLedger.UNBOUNDED, SpaceLedger.UNBOUNDED);
        BlobReferences refs = new BlobReferences(ledger);
        addBlob(refs, ledger, "b", 10);
        try (SpaceLedger.Reservation space = ledger.reserve(10)) {
            assertFalse(refs.commit(space, "b", 10));
        }
        assertEquals(10, ledger.occupied(), "the second reservation was released");
        refs.unpin(List.of("b"));
        assertTrue(ledger.contains(EntryKind.BLOB, "b"), "still pinned by the second install");
        refs.unpin(List.of("b"));
        assertFalse(ledger.contains(EntryKind.BLOB, "b"));
    }

    @Test
    void aLedgerRefusesToLoadBeforeEveryKindCanBeDeleted() {
        SpaceLedger ledger = new SpaceLedger(SpaceLedger.UNBOUNDED, SpaceLedger.UNBOUNDED);
        ledger.register(EntryKind.ENTRY, name -> {});
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ledger.checkEvictors(EntryKind.values()));
        assertTrue(e.getMessage().contains("INDEX"), e.getMessage());
    }
}
