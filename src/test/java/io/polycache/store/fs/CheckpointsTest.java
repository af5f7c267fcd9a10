package io.polycache.store.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.store.EntryKey;
import io.polycache.store.EntryMeta;
import io.polycache.store.EntryVerifier;
import io.polycache.store.Namespace;
import io.polycache.store.OpenEntry;
import io.polycache.store.ShardLayout;
import io.polycache.store.SpaceLedger;
import io.polycache.store.StorageDirectory;
import io.polycache.store.WritePolicy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability without an fsync per put: what a checkpoint records, and that after an unclean
 * stop the entries written since the last checkpoint are checked before they are served. A
 * store that is never closed stands for a process killed (or a machine that lost power); a
 * torn write is simulated by damaging a recent file and putting its modification time back, as
 * a power loss would leave it.
 */
class CheckpointsTest {
    private static final Namespace ONCE = new Namespace("polykit", WritePolicy.WRITE_ONCE_REFUSE);
    private static final Namespace REPLACE = new Namespace("turbo/web", WritePolicy.REPLACE);
    private static final long NEVER = 3_600_000; // no checkpoint by the timer during a test

    @TempDir
    Path root;

    private StorageDirectory files() throws IOException {
        StorageDirectory files = new StorageDirectory(new ShardLayout(root));
        files.open();
        return files;
    }

    private Checkpoints.Record record() throws IOException {
        return Checkpoints.read(root.resolve(Checkpoints.FILE));
    }

    @Test
    void aCleanStopIsRecordedAndTheNextStartChecksNothing() throws IOException {
        StorageDirectory files = files();
        try (FsEntryStore store = new FsEntryStore(files, SpaceLedger.unbounded(), NEVER, Checkpoints.Flush.SYNCFS, true)) {
            Checkpoints.Record running = record();
            assertNotNull(running, "a start is recorded before the first put");
            assertFalse(running.clean());
            put(store, ONCE, "a", body(100_000, 1));
        }
        Checkpoints.Record stopped = record();
        assertTrue(stopped.clean());
        try (FsEntryStore store = new FsEntryStore(files(), SpaceLedger.unbounded(), NEVER, Checkpoints.Flush.SYNCFS, true)) {
            assertTrue(store.recovered(), "nothing to check after a clean stop");
            assertArrayEquals(body(100_000, 1), read(store, ONCE, "a"));
        }
    }

    @Test
    void checkpointsMoveForwardOnlyWhenSomethingWasCommitted() throws Exception {
        for (Checkpoints.Flush flush : Checkpoints.Flush.values()) {
            FsEntryStore store = new FsEntryStore(files(), SpaceLedger.unbounded(), 50, flush, true);
            try (store) {
                long first = record().since();
                Thread.sleep(300);
                assertEquals(first, record().since(), flush + ": nothing committed, nothing recorded");
                long beforePut = System.currentTimeMillis();
                put(store, REPLACE, "k", body(10, 2));
                long deadline = System.currentTimeMillis() + 30_000;
                while (record().since() < beforePut && System.currentTimeMillis() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(record().since() >= beforePut, flush + ": the checkpoint after the put covers it");
                assertFalse(record().clean());
            }
        }
    }

    @Test
    void afterAnUncleanStopTornRecentEntriesAreMissesNeverServed() throws Exception {
        StorageDirectory files = files();
        FsEntryStore crashed = new FsEntryStore(files, SpaceLedger.unbounded(), NEVER, Checkpoints.Flush.SYNCFS, true);
        byte[] large = body(300_000, 3); // above the size read whole and checked on every read
        byte[] small = body(4096, 4);
        put(crashed, ONCE, "large", large);
        put(crashed, ONCE, "small", small);
        put(crashed, REPLACE, "replaced", body(200_000, 5));
        put(crashed, ONCE, "whole", body(150_000, 6));
        // "crashed" is never closed: its record still says "running", as after kill -9.
        flipByte(files.layout().entry(ONCE, new EntryKey("large")), 1.0 / 3);
        truncate(files.layout().entry(ONCE, new EntryKey("small")), 0.5);
        flipByte(files.layout().entry(REPLACE, new EntryKey("replaced")), 0.9);

        // Reads alone (the background walk held back) never serve a torn entry, HEAD included.
        try (FsEntryStore store = new FsEntryStore(files, SpaceLedger.unbounded(), NEVER, Checkpoints.Flush.SYNCFS, false)) {
            assertFalse(store.recovered());
            assertTrue(store.head(ONCE, new EntryKey("large")).isEmpty(), "HEAD of a torn entry is a miss");
            assertTrue(store.open(ONCE, new EntryKey("large")).isEmpty(), "GET of a torn entry is a miss");
            assertFalse(Files.exists(files.layout().entry(ONCE, new EntryKey("large"))), "and it is removed");
            assertTrue(store.open(ONCE, new EntryKey("small")).isEmpty());
            assertTrue(store.head(REPLACE, new EntryKey("replaced")).isEmpty());
            assertArrayEquals(body(150_000, 6), read(store, ONCE, "whole"), "a whole recent entry is served");
            assertEquals(3, store.damaged());
            put(store, ONCE, "large", large);
            assertArrayEquals(large, read(store, ONCE, "large"), "the next put heals it");
        }
        Checkpoints.Record record = record();
        assertFalse(record.clean(), "suspects were left unchecked by the walk: the next start checks again");
    }

    @Test
    void theBackgroundWalkRemovesTornEntriesThenCheckpointsMoveOn() throws Exception {
        StorageDirectory files = files();
        FsEntryStore crashed = new FsEntryStore(files, SpaceLedger.unbounded(), NEVER, Checkpoints.Flush.SYNCFS, true);
        put(crashed, ONCE, "old", body(100_000, 7));
        Path old = files.layout().entry(ONCE, new EntryKey("old"));
        // Written long before the last checkpoint: on the device by construction, not checked.
        Files.setLastModifiedTime(old, FileTime.fromMillis(System.currentTimeMillis() - 600_000));
        put(crashed, ONCE, "torn", body(100_000, 8));
        flipByte(files.layout().entry(ONCE, new EntryKey("torn")), 0.5);
        long crashRecord = record().since();

        try (FsEntryStore store = new FsEntryStore(files, SpaceLedger.unbounded(), 50, Checkpoints.Flush.SYNCFS, true)) {
            long deadline = System.currentTimeMillis() + 60_000;
            while (!store.recovered() && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(store.recovered());
            assertFalse(Files.exists(files.layout().entry(ONCE, new EntryKey("torn"))), "the walk removed it");
            assertEquals(1, store.damaged());
            assertTrue(Files.exists(old), "entries older than the checkpoint are not read");
            put(store, REPLACE, "after", body(10, 9));
            while (record().since() == crashRecord && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(record().since() > crashRecord, "checkpoints move on once every suspect is checked");
        }
        assertTrue(record().clean());
    }

    @Test
    void anAdoptedFileIsHeldBackFromCheckpointsWhileWrittenAndCheckedAfterAnUncleanStop() throws Exception {
        StorageDirectory files = files();
        FsEntryStore crashed = new FsEntryStore(files, SpaceLedger.unbounded(), 50, Checkpoints.Flush.SYNCFS, true);
        long started = record().since();
        Object write = crashed.beginWrite(); // as a fill from the bucket does, before its file exists
        long registered = System.currentTimeMillis();
        Thread.sleep(20);
        put(crashed, REPLACE, "meanwhile", body(10, 9)); // something committed: checkpoints run
        long deadline = System.currentTimeMillis() + 30_000;
        while (record().since() == started && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(record().since() > started, "a checkpoint ran");
        assertTrue(record().since() <= registered, "no checkpoint records a time after the write's start");

        byte[] bytes = body(200_000, 10);
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        EntryMeta meta = new EntryMeta(bytes.length, java.util.HexFormat.of().formatHex(sha.digest(bytes)),
                System.currentTimeMillis(), Map.of());
        Path temp = files.newTempName(".fill");
        try (java.nio.channels.FileChannel file = StorageDirectory.createTempFile(temp)) {
            file.write(java.nio.ByteBuffer.wrap(bytes));
            file.write(EntryFile.trailer(meta));
        }
        crashed.adopt(ONCE, new EntryKey("fetched"), temp, meta, Files.size(temp));
        crashed.endWrite(write);
        Files.deleteIfExists(temp);
        // "crashed" is never closed (kill -9); the adopted file is torn as a power loss would leave it.
        flipByte(files.layout().entry(ONCE, new EntryKey("fetched")), 0.5);

        try (FsEntryStore store = new FsEntryStore(files, SpaceLedger.unbounded(), NEVER, Checkpoints.Flush.SYNCFS, false)) {
            assertTrue(store.open(ONCE, new EntryKey("fetched")).isEmpty(), "a torn adopted file is a miss");
            assertEquals(1, store.damaged());
        }
    }

    private static void flipByte(Path file, double where) throws IOException {
        FileTime modified = Files.getLastModifiedTime(file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long at = (long) (raf.length() * where);
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ 0x40);
        }
        Files.setLastModifiedTime(file, modified);
    }

    private static void truncate(Path file, double keep) throws IOException {
        FileTime modified = Files.getLastModifiedTime(file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength((long) (raf.length() * keep));
        }
        Files.setLastModifiedTime(file, modified);
    }

    private static byte[] body(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static void put(FsEntryStore store, Namespace namespace, String key, byte[] body) throws IOException {
        store.put(namespace, new EntryKey(key), new ByteArrayInputStream(body), body.length, EntryVerifier.NONE, Map.of());
    }

    private static byte[] read(FsEntryStore store, Namespace namespace, String key) throws IOException {
        Optional<OpenEntry> entry = store.open(namespace, new EntryKey(key));
        assertTrue(entry.isPresent(), key);
        try (OpenEntry open = entry.get()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            open.transferTo(out);
            return out.toByteArray();
        }
    }
}
