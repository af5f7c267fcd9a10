package io.polycache.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger filled in the background (its snapshot loads while the server already serves):
 * what needs the whole accounting waits for the load, uses seen meanwhile are kept, and nothing
 * is counted twice or lost.
 */
@Timeout(60)
class LedgerLoadingTest {
    @TempDir
    Path root;

    private final List<String> evicted = java.util.Collections.synchronizedList(new ArrayList<>());

    private SpaceLedger ledger(long soft, long hard) {
        SpaceLedger ledger = new SpaceLedger(soft, hard);
        for (EntryKind kind : EntryKind.values()) {
            ledger.register(kind, name -> evicted.add(name));
        }
        return ledger;
    }

    /** Runs {@code task} on another thread; the future is done when it returns. */
    private static CompletableFuture<Void> inBackground(ThrowingRunnable task) {
        return CompletableFuture.runAsync(() -> {
            try {
                task.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Gives a waiting thread time to go ahead if nothing held it back (a negative check). */
    private static void assertStillWaiting(CompletableFuture<?> future) throws InterruptedException {
        Thread.sleep(200);
        assertFalse(future.isDone(), "went ahead while the ledger was loading");
    }

    @Test
    void aWriteWaitsForTheLoadThenEvictsFromAllOfIt() throws Exception {
        SpaceLedger ledger = ledger(1000, 1000);
        ledger.startLoading();
        assertTrue(ledger.loading());
        CompletableFuture<Void> write = inBackground(() -> {
            try (SpaceLedger.Reservation space = ledger.reserve(300)) {
                space.commit(EntryKind.ENTRY, "polykit/new", 300);
            }
        });
        assertStillWaiting(write);
        ledger.restore(EntryKind.ENTRY, "polykit/old", 400, 1, 0);
        ledger.restore(EntryKind.ENTRY, "polykit/recent", 400, 2, 0);
        ledger.finishLoading();
        write.get(30, TimeUnit.SECONDS);

        assertFalse(ledger.loading());
        // 800 loaded + 300 do not fit under 1000: the least recently used loaded entry goes.
        assertEquals(List.of("polykit/old"), evicted);
        assertEquals(700, ledger.used());
        assertEquals(700, ledger.occupied());
        assertArrayEquals(new long[] {2, 700}, ledger.countAndBytes(EntryKind.ENTRY));
    }

    @Test
    void aReplaceDuringTheLoadIsCountedOnceAtItsNewSize() throws Exception {
        SpaceLedger ledger = ledger(SpaceLedger.UNBOUNDED, SpaceLedger.UNBOUNDED);
        ledger.startLoading();
        CompletableFuture<Void> replace = inBackground(() -> {
            try (SpaceLedger.Reservation space = ledger.reserve(30)) {
                space.commit(EntryKind.ENTRY, "turbo/x", 30);
            }
        });
        assertStillWaiting(replace);
        ledger.restore(EntryKind.ENTRY, "turbo/x", 100, 1, 0); // the size before the replace
        ledger.finishLoading();
        replace.get(30, TimeUnit.SECONDS);

        assertEquals(30, ledger.used());
        assertEquals(30, ledger.occupied());
        assertArrayEquals(new long[] {1, 30}, ledger.countAndBytes("turbo"));
    }

    @Test
    void aRemovalDuringTheLoadIsNotUndoneByIt() throws Exception {
        SpaceLedger ledger = ledger(SpaceLedger.UNBOUNDED, SpaceLedger.UNBOUNDED);
        ledger.startLoading();
        CompletableFuture<Void> removal = inBackground(() -> ledger.removed(EntryKind.ENTRY, "polykit/gone"));
        assertStillWaiting(removal);
        ledger.restore(EntryKind.ENTRY, "polykit/gone", 100, 1, 0);
        ledger.restore(EntryKind.ENTRY, "polykit/kept", 50, 1, 0);
        ledger.finishLoading();
        removal.get(30, TimeUnit.SECONDS);

        assertFalse(ledger.contains(EntryKind.ENTRY, "polykit/gone"), "a deleted entry came back with the load");
        assertEquals(50, ledger.used());
        assertEquals(50, ledger.occupied());
    }

    @Test
    void aReadDuringTheLoadKeepsItsRecency() throws Exception {
        SpaceLedger ledger = ledger(1000, 1000);
        ledger.startLoading();
        ledger.restore(EntryKind.ENTRY, "polykit/a", 400, 2, 0);
        // Read before the load reached it (the snapshot says it was used before a).
        ledger.touch(EntryKind.ENTRY, "polykit/b");
        ledger.restore(EntryKind.ENTRY, "polykit/b", 400, 1, 0);
        ledger.finishLoading();

        try (SpaceLedger.Reservation space = ledger.reserve(300)) {
            space.commit(EntryKind.ENTRY, "polykit/c", 300);
        }
        assertEquals(List.of("polykit/a"), evicted, "the read of b during the load was lost");
    }

    @Test
    void blobReferencesWaitForTheLoad() throws Exception {
        SpaceLedger ledger = ledger(SpaceLedger.UNBOUNDED, SpaceLedger.UNBOUNDED);
        BlobReferences references = new BlobReferences(ledger);
        ledger.startLoading();
        // An install that finds the blob stored pins it instead of writing it again.
        CompletableFuture<Boolean> pin = CompletableFuture.supplyAsync(() -> references.pin("blob"));
        assertStillWaiting(pin);
        ledger.restore(EntryKind.BLOB, "blob", 10, 1, 1);
        ledger.finishLoading();
        assertTrue(pin.get(30, TimeUnit.SECONDS), "the blob in the snapshot was not seen");
        references.unpin(List.of("blob"));
        assertTrue(ledger.contains(EntryKind.BLOB, "blob"), "its reference from the snapshot kept it");
    }

    @Test
    void aSnapshotLoadedInTheBackgroundWithWritesAndRemovalsMeanwhileAddsUp() throws Exception {
        StorageDirectory files = new StorageDirectory(new ShardLayout(root));
        files.open();
        SpaceLedger before = ledger(SpaceLedger.UNBOUNDED, SpaceLedger.UNBOUNDED);
        for (int i = 0; i < 20_000; i++) {
            try (SpaceLedger.Reservation space = before.reserve(10)) {
                space.commit(EntryKind.ENTRY, "polykit/k" + i, 10);
            }
        }
        Path snapshot = files.layout().ledgerSnapshot();
        LedgerSnapshot.save(before, snapshot, files, true);

        SpaceLedger after = ledger(SpaceLedger.UNBOUNDED, SpaceLedger.UNBOUNDED);
        after.startLoading();
        CompletableFuture<Boolean> load = CompletableFuture.supplyAsync(() -> {
            try {
                return LedgerSnapshot.load(after, snapshot);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } finally {
                after.finishLoading();
            }
        });
        List<CompletableFuture<Void>> changes = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            changes.add(inBackground(() -> {
                for (int i = thread; i < 2_000; i += 4) {
                    try (SpaceLedger.Reservation space = after.reserve(7)) {
                        space.commit(EntryKind.ENTRY, "polykit/k" + i, 7); // replaces k0..k1999
                    }
                    after.removed(EntryKind.ENTRY, "polykit/k" + (10_000 + i)); // removes k10000..k11999
                    try (SpaceLedger.Reservation space = after.reserve(5)) {
                        space.commit(EntryKind.ENTRY, "polykit/new" + i, 5); // adds 2000
                    }
                    after.touch(EntryKind.ENTRY, "polykit/k" + (5_000 + i));
                }
            }));
        }
        assertTrue(load.get(30, TimeUnit.SECONDS));
        for (CompletableFuture<Void> change : changes) {
            change.get(30, TimeUnit.SECONDS);
        }

        // 20,000 loaded: 16,000 kept at 10 bytes, 2,000 replaced at 7, 2,000 removed; 2,000 new of 5.
        long expected = 16_000 * 10 + 2_000 * 7 + 2_000 * 5;
        assertEquals(expected, after.used());
        assertEquals(expected, after.occupied());
        assertArrayEquals(new long[] {20_000, expected}, after.countAndBytes(EntryKind.ENTRY));
        assertArrayEquals(new long[] {20_000, expected}, after.countAndBytes("polykit"));
        assertFalse(after.contains(EntryKind.ENTRY, "polykit/k10000"));
        assertTrue(after.contains(EntryKind.ENTRY, "polykit/k19999"));
    }

    @Test
    void aLedgerNeverLoadingNeverWaits() {
        SpaceLedger ledger = ledger(SpaceLedger.UNBOUNDED, SpaceLedger.UNBOUNDED);
        assertFalse(ledger.loading());
        ledger.awaitLoaded();
        ledger.finishLoading(); // harmless
        try (SpaceLedger.Reservation space = ledger.reserve(1)) {
            space.commit(EntryKind.ENTRY, "polykit/x", 1);
        }
        assertEquals(1, ledger.used());
    }
}
