package io.polycache.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SpaceLedgerTest {
    private final List<String> evicted = new ArrayList<>();

    private SpaceLedger ledger(long soft, long hard) {
        SpaceLedger ledger = new SpaceLedger(soft, hard);
        for (EntryKind kind : EntryKind.values()) {
            ledger.register(kind, name -> evicted.add(kind + ":" + name));
        }
        return ledger;
    }

    private static void add(SpaceLedger ledger, EntryKind kind, String name, long size) {
        try (SpaceLedger.Reservation space = ledger.reserve(size)) {
            space.commit(kind, name, size);
        }
    }

    @Test
    void evictsTheLeastRecentlyUsedNotTheOldestWritten() {
        SpaceLedger ledger = ledger(1000, 1050);
        add(ledger, EntryKind.ENTRY, "a", 300);
        add(ledger, EntryKind.ENTRY, "b", 300);
        add(ledger, EntryKind.ENTRY, "c", 300);
        ledger.touch(EntryKind.ENTRY, "a"); // a was written first but used last

        add(ledger, EntryKind.ENTRY, "d", 300);

        assertEquals(List.of("ENTRY:b"), evicted);
        assertTrue(ledger.contains(EntryKind.ENTRY, "a"));
        assertEquals(900, ledger.used());
        assertArrayEquals(new long[] {3, 900}, ledger.countAndBytes(EntryKind.ENTRY));
    }

    @Test
    void evictsDownToTheLowWaterMarkInOneRound() {
        SpaceLedger ledger = ledger(1000, 1000);
        for (int i = 0; i < 10; i++) {
            add(ledger, EntryKind.ENTRY, "e" + i, 100);
        }
        add(ledger, EntryKind.ENTRY, "new", 100);
        // 950 is the low-water mark: room for the new 100 means 850 kept before it.
        assertEquals(List.of("ENTRY:e0", "ENTRY:e1"), evicted);
        assertEquals(900, ledger.used());
    }

    @Test
    void aWriteLargerThanTheHardLimitFailsWithoutEvictingAnything() {
        SpaceLedger ledger = ledger(1000, 1050);
        add(ledger, EntryKind.ENTRY, "a", 500);
        InsufficientStorageException e = assertThrows(InsufficientStorageException.class, () -> ledger.reserve(1100));
        assertTrue(e.getMessage().contains("hard limit of 1050 bytes"), e.getMessage());
        assertEquals(500, ledger.used(), "nothing was evicted for a write that could never fit");
        assertEquals(500, ledger.occupied());
        try (SpaceLedger.Reservation space = ledger.reserve(900)) {
            assertEquals(0, ledger.used(), "a write that fits once the cache is emptied evicts");
        }
    }

    @Test
    void aGrowingReservationFailsAtTheHardLimit() {
        SpaceLedger ledger = ledger(1000, 1050);
        try (SpaceLedger.Reservation space = ledger.reserve(600)) {
            space.grow(400);
            assertThrows(InsufficientStorageException.class, () -> space.grow(100));
            assertEquals(1000, ledger.occupied());
        }
        assertEquals(0, ledger.occupied());
    }

    @Test
    void concurrentReservationsCannotOvershootTogether() throws Exception {
        SpaceLedger ledger = ledger(500, 500);
        int writers = 16;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<SpaceLedger.Reservation>> results = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            results.add(pool.submit(() -> {
                start.await();
                try {
                    return ledger.reserve(100);
                } catch (InsufficientStorageException e) {
                    return null;
                }
            }));
        }
        start.countDown();
        int granted = 0;
        for (Future<SpaceLedger.Reservation> result : results) {
            if (result.get() != null) {
                granted++;
            }
        }
        pool.shutdown();
        assertEquals(5, granted);
        assertEquals(500, ledger.occupied());
    }

    @Test
    void aBlobSharedByASurvivingIndexSurvives() {
        SpaceLedger ledger = ledger(SpaceLedger.UNBOUNDED, SpaceLedger.UNBOUNDED);
        add(ledger, EntryKind.BLOB, "shared", 10);
        add(ledger, EntryKind.BLOB, "only-one", 10);
        ledger.pinsBecomeReferences(List.of("shared", "only-one")); // index one
        assertTrue(ledger.pinBlob("shared"));
        ledger.pinsBecomeReferences(List.of("shared")); // index two

        ledger.dereference(List.of("shared", "only-one")); // index one evicted

        assertEquals(List.of("BLOB:only-one"), evicted);
        assertTrue(ledger.contains(EntryKind.BLOB, "shared"));
        assertArrayEquals(new long[] {1, 10}, ledger.countAndBytes(EntryKind.BLOB));
        ledger.dereference(List.of("shared"));
        assertFalse(ledger.contains(EntryKind.BLOB, "shared"));
        assertEquals(0, ledger.used());
        assertArrayEquals(new long[] {0, 0}, ledger.countAndBytes(EntryKind.BLOB));
    }

    @Test
    void aBlobPinnedByAnInstallInFlightOutlivesItsLastIndex() {
        SpaceLedger ledger = ledger(SpaceLedger.UNBOUNDED, SpaceLedger.UNBOUNDED);
        add(ledger, EntryKind.BLOB, "b", 10);
        ledger.pinsBecomeReferences(List.of("b"));
        assertTrue(ledger.pinBlob("b")); // a new install uses it

        ledger.dereference(List.of("b"));
        assertTrue(ledger.contains(EntryKind.BLOB, "b"));

        ledger.unpin(List.of("b")); // the install failed
        assertFalse(ledger.contains(EntryKind.BLOB, "b"));
        assertFalse(ledger.pinBlob("b"), "a gone blob must be written anew");
    }

    @Test
    void blobsAreNeverEvictedByTheLruThemselves() {
        SpaceLedger ledger = ledger(100, 100);
        add(ledger, EntryKind.BLOB, "b", 60);
        ledger.pinsBecomeReferences(List.of("b"));
        assertThrows(InsufficientStorageException.class, () -> ledger.reserve(60));
        assertTrue(ledger.contains(EntryKind.BLOB, "b"));
    }

    @Test
    void releasedReservationsGiveTheirSpaceBack() {
        SpaceLedger ledger = ledger(100, 100);
        ledger.reserve(100).close();
        try (SpaceLedger.Reservation space = ledger.reserve(100)) {
            space.commit(EntryKind.BUNDLE, "z", 40);
        }
        assertEquals(40, ledger.occupied());
        assertEquals(40, ledger.used());
    }
}
