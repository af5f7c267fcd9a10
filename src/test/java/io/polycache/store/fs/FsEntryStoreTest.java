package io.polycache.store.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.store.EntryKey;
import io.polycache.store.EntryKind;
import io.polycache.store.EntryStore;
import io.polycache.store.EntryStoreContract;
import io.polycache.store.StorageDirectory;
import io.polycache.store.Namespace;
import io.polycache.store.ShardLayout;
import io.polycache.store.SpaceLedger;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract on the filesystem backend, and what only this backend does. */
class FsEntryStoreTest extends EntryStoreContract {
    @TempDir
    Path root;

    private StorageDirectory files;
    private SpaceLedger ledger;

    @Override
    protected EntryStore newStore() throws IOException {
        files = new StorageDirectory(new ShardLayout(root));
        files.open();
        ledger = SpaceLedger.unbounded();
        return new FsEntryStore(files, ledger);
    }

    @Override
    protected void damage(Namespace namespace, EntryKey key) throws IOException {
        Path file = files.layout().entry(namespace, key);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(raf.length() - 7); // torn: the footer's end is gone
        }
    }

    @Override
    protected void corruptBody(Namespace namespace, EntryKey key) throws IOException {
        Path file = files.layout().entry(namespace, key);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(raf.length() / 3); // inside the body, whatever its size
            int b = raf.read();
            raf.seek(raf.length() / 3);
            raf.write(b ^ 0x01);
        }
    }

    @Override
    protected long temporaryLeftovers() throws IOException {
        return io.polycache.testing.TempFiles.left(files.layout().tmp()).size();
    }

    @Test
    void oneFilePerEntryAccountedAtItsSizeOnDisk() throws IOException {
        put(REPLACE, new EntryKey("k1"), bytes(1000, 1));
        Path file = files.layout().entry(REPLACE, new EntryKey("k1"));
        assertEquals(Files.size(file), ledger.used());
        assertTrue(Files.size(file) > 1000, "body and metadata");
        put(REPLACE, new EntryKey("k1"), bytes(10, 1));
        assertEquals(Files.size(file), ledger.used(), "a replaced entry is accounted once, at its new size");
        assertArrayEquals(new long[] {1, Files.size(file)}, ledger.countAndBytes("turbo"));
        assertTrue(store.delete(REPLACE, new EntryKey("k1")));
        assertEquals(0, ledger.used());
        assertFalse(Files.exists(file));
    }

    @Test
    void uploadsStillCommitAfterTmpWasEmptiedWhole() throws IOException {
        for (int i = 0; i < 20; i++) { // every upload directory of tmp/ in use
            put(REPLACE, new EntryKey("t" + i), bytes(100, i));
        }
        files.clearTmp(); // as a start-up or stop does: tmp/'s subdirectories go too
        try (var left = Files.list(files.layout().tmp())) {
            assertEquals(0, left.count());
        }
        for (int i = 0; i < 20; i++) {
            put(REPLACE, new EntryKey("t" + i), bytes(200, i));
            assertArrayEquals(bytes(200, i), read(REPLACE, new EntryKey("t" + i)));
        }
        assertEquals(0, temporaryLeftovers());
    }

    @Test
    void aDamagedEntryIsRemovedFromDiskAndAccounts() throws IOException {
        put(REFUSE, new EntryKey("k2"), bytes(1000, 2));
        damage(REFUSE, new EntryKey("k2"));
        assertTrue(store.head(REFUSE, new EntryKey("k2")).isEmpty());
        assertFalse(Files.exists(files.layout().entry(REFUSE, new EntryKey("k2"))));
        assertFalse(ledger.contains(EntryKind.ENTRY, "polykit/k2"));
        assertEquals(1, ((FsEntryStore) store).damaged());
    }

    @Test
    void evictionDeletesTheLeastRecentlyUsedEntryFile() throws IOException {
        ledger = new SpaceLedger(5_000, 6_000);
        FsEntryStore bounded = new FsEntryStore(files, ledger);
        try (bounded) {
            for (int i = 0; i < 4; i++) {
                bounded.put(REPLACE, new EntryKey("e" + i), new java.io.ByteArrayInputStream(bytes(1000, i)), 1000,
                        io.polycache.store.EntryVerifier.NONE, java.util.Map.of());
            }
            bounded.head(REPLACE, new EntryKey("e0")); // e0 is now the most recently used
            bounded.put(REPLACE, new EntryKey("e4"), new java.io.ByteArrayInputStream(bytes(1000, 4)), 1000,
                    io.polycache.store.EntryVerifier.NONE, java.util.Map.of());
            assertTrue(Files.exists(files.layout().entry(REPLACE, new EntryKey("e0"))));
            assertFalse(Files.exists(files.layout().entry(REPLACE, new EntryKey("e1"))));
        }
    }

    @Test
    void theSmallEntryCacheNeverOutlivesAReplaceOrADelete() throws Exception {
        EntryKey key = new EntryKey("hot");
        put(REPLACE, key, bytes(4096, 0));
        assertArrayEquals(bytes(4096, 0), read(REPLACE, key)); // now cached
        put(REPLACE, key, bytes(4096, 1));
        assertArrayEquals(bytes(4096, 1), read(REPLACE, key), "a replace is seen at once");
        assertTrue(store.delete(REPLACE, key));
        assertTrue(store.open(REPLACE, key).isEmpty(), "a delete is seen at once");
        assertTrue(store.head(REPLACE, key).isEmpty());

        // Readers racing a writer: once the writer is done, every read sees its last version.
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.List<Thread> readers = new java.util.ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        for (int r = 0; r < 4; r++) {
            Thread reader = new Thread(() -> {
                try {
                    while (!done.get()) {
                        store.open(REPLACE, key).ifPresent(io.polycache.store.OpenEntry::close);
                        store.head(REPLACE, key);
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            reader.start();
            readers.add(reader);
        }
        for (int version = 0; version < 300; version++) {
            put(REPLACE, key, bytes(4096, 100 + version));
        }
        done.set(true);
        for (Thread reader : readers) {
            reader.join();
        }
        assertEquals(null, failure.get());
        assertArrayEquals(bytes(4096, 399), read(REPLACE, key), "no stale copy cached");
        assertEquals(sha256(bytes(4096, 399)), store.head(REPLACE, key).orElseThrow().sha256());
    }

    /** Each entry read once (so from disk, not from the small-entry cache). */
    @Test
    void aSmallEntryReadIntoTheThreadsBufferKeepsItsBytesUntilClosed() throws Exception {
        for (int i = 0; i < 3; i++) {
            put(REFUSE, new EntryKey("lent" + i), bytes(4096, i));
        }
        io.polycache.store.OpenEntry first = store.open(REFUSE, new EntryKey("lent0")).orElseThrow();
        // Read on the same thread while the first is open: the buffer is not taken from it.
        assertArrayEquals(bytes(4096, 1), read(REFUSE, new EntryKey("lent1")));
        assertArrayEquals(bytes(4096, 0), body(first), "the first entry's bytes are still its own");
        // Closed on another thread: the buffer is free again for this one's next read.
        Thread closer = new Thread(first::close);
        closer.start();
        closer.join();
        assertArrayEquals(bytes(4096, 2), read(REFUSE, new EntryKey("lent2")));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> body(first),
                "a closed entry whose buffer went to another read does not send that one's bytes");
        first.close(); // a second close frees nothing
    }

    @Test
    void smallEntriesAroundTheLentBufferSizeReadWholeAndDamagedOnesAreMisses() throws IOException {
        int trailer = EntryFile.trailer(new io.polycache.store.EntryMeta(0, sha256(new byte[0]), 0,
                java.util.Map.of())).remaining();
        int fits = FsEntryStore.LENT - trailer; // a file of exactly the buffer's size
        int[] sizes = {0, 1, fits - 1, fits, fits + 1, 40_000, FsEntryStore.SMALL};
        for (int size : sizes) {
            put(REPLACE, new EntryKey("s" + size), bytes(size, size));
            assertArrayEquals(bytes(size, size), read(REPLACE, new EntryKey("s" + size)), "size " + size);
        }
        for (int size : sizes) {
            if (size == 0) {
                continue; // no body to damage
            }
            EntryKey key = new EntryKey("d" + size);
            put(REPLACE, key, bytes(size, size));
            corruptBody(REPLACE, key);
            assertTrue(store.open(REPLACE, key).isEmpty(), "a damaged body of " + size + " bytes is a miss");
            assertFalse(Files.exists(files.layout().entry(REPLACE, key)), "and removed");
        }
    }

    private static byte[] body(io.polycache.store.OpenEntry entry) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        entry.transferTo(out);
        return out.toByteArray();
    }

    @Test
    void theSmallEntryCacheIsBoundedInBytes() {
        SmallEntryCache cache = new SmallEntryCache(100_000);
        io.polycache.store.EntryMeta meta = new io.polycache.store.EntryMeta(4000, sha256(bytes(4000, 1)), 0, java.util.Map.of());
        for (int i = 0; i < 1000; i++) {
            cache.put("k" + i, meta, new byte[4100]);
            assertTrue(cache.bytes() <= 100_000, "at most the bound, after every put");
        }
        assertTrue(cache.bytes() > 50_000, "and not emptied either: " + cache.bytes());
    }
}
