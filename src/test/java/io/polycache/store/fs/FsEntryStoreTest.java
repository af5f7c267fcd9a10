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
import java.util.stream.Stream;
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
        try (Stream<Path> left = Files.list(files.layout().tmp())) {
            return left.count();
        }
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
}
