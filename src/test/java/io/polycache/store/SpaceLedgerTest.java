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
    void releasedReservationsGiveTheirSpaceBack() {
        SpaceLedger ledger = ledger(100, 100);
        ledger.reserve(100).close();
        try (SpaceLedger.Reservation space = ledger.reserve(100)) {
            space.commit(EntryKind.BUNDLE, "z", 40);
        }
        assertEquals(40, ledger.occupied());
        assertEquals(40, ledger.used());
    }

    @Test
    void aChunkedWriteThatGrowsPastTheHardLimitFailsWithoutEvicting() {
        SpaceLedger ledger = ledger(1000, 1000);
        for (int i = 0; i < 5; i++) {
            add(ledger, EntryKind.ENTRY, "e" + i, 100);
        }
        try (SpaceLedger.Reservation space = ledger.reserve(0)) {
            space.grow(450);
            assertThrows(InsufficientStorageException.class, () -> space.grow(600));
        }
        assertEquals(List.of(), evicted, "a write that can never fit empties nothing");
        assertEquals(500, ledger.used());
        assertEquals(500, ledger.occupied());
    }

    @Test
    void aWriteThatCannotFitBesideTheWritesInFlightEvictsNothing() {
        SpaceLedger ledger = ledger(1000, 1000);
        for (int i = 0; i < 5; i++) {
            add(ledger, EntryKind.ENTRY, "e" + i, 100);
        }
        try (SpaceLedger.Reservation other = ledger.reserve(400)) {
            assertThrows(InsufficientStorageException.class, () -> ledger.reserve(700));
            assertEquals(List.of(), evicted, "evicting all five would still leave no room beside the 400 in flight");
        }
        assertEquals(500, ledger.used());
    }

    @Test
    void aWriteLargerThanTheLowWaterMarkEvictsOnlyWhatItNeeds() {
        SpaceLedger ledger = ledger(1000, 1500);
        for (int i = 0; i < 10; i++) {
            add(ledger, EntryKind.ENTRY, "e" + i, 100);
        }
        try (SpaceLedger.Reservation space = ledger.reserve(1200)) {
            assertEquals(7, evicted.size(), "room under the hard limit, not an emptied cache: " + evicted);
            assertEquals(300, ledger.used());
            space.commit(EntryKind.ENTRY, "big", 1200);
        }
        assertEquals(1500, ledger.used());
    }

    @Test
    void oneGrowingWriteNeverEvictsMoreThanItsOwnSizeAndTheSlack() {
        SpaceLedger ledger = ledger(1000, 1000);
        for (int i = 0; i < 100; i++) {
            add(ledger, EntryKind.ENTRY, "e" + i, 10);
        }
        try (SpaceLedger.Reservation space = ledger.reserve(0)) {
            for (int step = 0; step < 30; step++) {
                space.grow(10);
            }
            assertTrue(evicted.size() * 10 <= 300 + 50, "evicted " + evicted.size() * 10 + " bytes for a 300-byte write");
        }
    }

    @Test
    void aRoundEvictsAtMostRoundExtraEntriesBeyondWhatItsWriteNeeds() {
        int n = 100_000; // 1-byte entries: the low-water slack is 5,000 of them
        SpaceLedger ledger = ledger(n, n);
        for (int i = 0; i < n; i++) {
            add(ledger, EntryKind.ENTRY, "e" + i, 1);
        }
        add(ledger, EntryKind.ENTRY, "new", 1);

        assertEquals(1 + SpaceLedger.ROUND_EXTRA, evicted.size(), "one for the write, then the bounded extra");
        for (int i = 0; i < evicted.size(); i++) {
            assertEquals("ENTRY:e" + i, evicted.get(i));
        }
    }

    @Test
    void evictionStaysLeastRecentlyUsedFirstAcrossRoundsAndPasses() {
        // More evictions than one pass orders, with uses and removals between the rounds: the
        // order must be the one a full sort at each eviction would give.
        int n = 3 * SpaceLedger.ORDER_SIZE;
        SpaceLedger ledger = ledger(n, n);
        for (int i = 0; i < n; i++) {
            add(ledger, EntryKind.ENTRY, "e" + i, 1);
        }
        List<String> expected = new ArrayList<>();
        java.util.Deque<String> lru = new java.util.ArrayDeque<>();
        for (int i = 0; i < n; i++) {
            lru.add("e" + i);
        }
        int writes = 2 * SpaceLedger.ORDER_SIZE;
        for (int w = 0; w < writes; w++) {
            if (w % 1000 == 7) {
                String used = lru.pollFirst(); // the oldest is used: it becomes the youngest
                ledger.touch(EntryKind.ENTRY, used);
                lru.addLast(used);
            }
            if (w % 1000 == 500) {
                String removed = lru.pollFirst(); // the oldest is removed by its store
                ledger.removed(EntryKind.ENTRY, removed);
            }
            int before = evicted.size();
            add(ledger, EntryKind.ENTRY, "w" + w, 1);
            for (int k = before; k < evicted.size(); k++) {
                expected.add("ENTRY:" + lru.pollFirst());
            }
            lru.addLast("w" + w);
        }
        assertTrue(evicted.size() > SpaceLedger.ORDER_SIZE, "more evictions than one pass orders: " + evicted.size());
        assertEquals(expected, evicted);
        long[] passes = ledger.passes();
        assertEquals(1, passes[0], "only the first order is walked by a writer; the next ones run ahead");
        assertTrue(passes[1] >= 1, "passes ahead: " + passes[1]);
    }
}
