package io.polycache.store;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * The ledger on disk: one compact binary file, written whole at a clean shutdown and read at
 * start-up, so that a storage directory of a million entries is accounted for in about a second
 * instead of a walk of every file. A flag byte says whether the file was written at a clean
 * shutdown; it is cleared as soon as the file is loaded, so after a crash the next start knows
 * that the file is stale and has the store scanned.
 */
public final class LedgerSnapshot {
    private static final Logger LOG = Logger.getLogger(LedgerSnapshot.class.getName());
    private static final int MAGIC = 0x50434C31; // "PCL1"
    private static final long CLEAN_FLAG_OFFSET = 4;

    private LedgerSnapshot() {}

    /**
     * Loads the snapshot into the ledger and marks the file stale.
     *
     * @return true if the snapshot was written at a clean shutdown (no scan needed)
     */
    public static boolean load(SpaceLedger ledger, Path file) throws IOException {
        ledger.checkEvictors(EntryKind.values());
        boolean clean;
        long count;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readInt() != MAGIC) {
                LOG.warning("Ignoring " + file + ": not a ledger snapshot");
                return false;
            }
            clean = in.readBoolean();
            count = in.readLong();
            EntryKind[] kinds = EntryKind.values();
            for (long i = 0; i < count; i++) {
                EntryKind kind = kinds[in.readUnsignedByte()];
                String name = in.readUTF();
                long size = in.readLong();
                long lastUse = in.readLong();
                int refs = in.readInt();
                ledger.restore(kind, name, size, lastUse, refs);
            }
        } catch (NoSuchFileException e) {
            return false;
        } catch (EOFException | ArrayIndexOutOfBoundsException e) {
            LOG.warning("Ledger snapshot " + file + " is truncated; the store will be scanned");
            return false;
        }
        if (clean) {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.seek(CLEAN_FLAG_OFFSET);
                raf.writeBoolean(false);
                raf.getFD().sync();
            }
        }
        return clean;
    }

    /** Writes the ledger atomically (temp file, fsync, rename). */
    public static void save(SpaceLedger ledger, Path file, StorageDirectory files, boolean clean) throws IOException {
        Path temp = files.newTempFile(".ledger");
        try {
            var entries = ledger.entries();
            long count = 0;
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16))) {
                out.writeInt(MAGIC);
                out.writeBoolean(false);
                out.writeLong(0);
                for (SpaceLedger.Entry entry : entries) {
                    int refs;
                    synchronized (entry) {
                        if (entry.gone) {
                            continue;
                        }
                        refs = entry.refs;
                    }
                    out.writeByte(entry.kind.ordinal());
                    out.writeUTF(entry.name);
                    out.writeLong(entry.size);
                    out.writeLong(entry.lastUse);
                    out.writeInt(refs);
                    count++;
                }
            }
            try (RandomAccessFile raf = new RandomAccessFile(temp.toFile(), "rw")) {
                raf.seek(CLEAN_FLAG_OFFSET);
                raf.writeBoolean(clean);
                raf.writeLong(count);
            }
            StorageDirectory.fsync(temp);
            files.moveIntoPlace(temp, file);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
