package io.polycache.store.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.store.EntryKey;
import io.polycache.store.EntryMeta;
import io.polycache.store.StorageDirectory;
import io.polycache.store.Namespace;
import io.polycache.store.OpenEntry;
import io.polycache.store.ShardLayout;
import io.polycache.store.SpaceLedger;
import io.polycache.store.WritePolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A storage directory of the two-file artifact layout is read by this release without operator steps. */
class LegacyArtifactsTest {
    private static final Namespace POLYKIT = new Namespace("polykit", WritePolicy.WRITE_ONCE_REFUSE);

    @TempDir
    Path root;

    /** Writes an artifact as the earlier release did: data, and JSON metadata beside it. */
    private String legacy(String key, byte[] data) throws Exception {
        Path dir = root.resolve("artifacts").resolve(key.substring(0, 2)).resolve(key.substring(2, 4));
        Files.createDirectories(dir);
        Files.write(dir.resolve(key + ".zst"), data);
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        Files.writeString(dir.resolve(key + ".json"), "{\"hash\":\"" + hash + "\",\"size\":" + data.length
                + ",\"created_at\":1700000000,\"cache_key_hash\":\"" + key + "\",\"package_name\":\"p\"}");
        return hash;
    }

    @Test
    void artifactsOfTheTwoFileLayoutAreConvertedAndServedAsBefore() throws Exception {
        String key1 = "ab".repeat(16);
        String key2 = "cd".repeat(32);
        String hash1 = legacy(key1, "first artifact".getBytes());
        String hash2 = legacy(key2, new byte[200_000]);
        // A data file whose metadata was never written (a crash mid-commit) is not an artifact.
        Files.write(root.resolve("artifacts/ab/ab/" + "ef".repeat(16) + ".zst"), new byte[10]);
        Files.writeString(root.resolve("ledger.snapshot"), "stale");
        StorageDirectory files = new StorageDirectory(new ShardLayout(root));
        files.open();

        assertEquals(2, LegacyArtifacts.convert(files, POLYKIT));

        assertFalse(Files.exists(root.resolve("artifacts")));
        assertFalse(Files.exists(root.resolve("ledger.snapshot")), "the ledger is rebuilt by a scan");
        try (FsEntryStore store = new FsEntryStore(files, SpaceLedger.unbounded())) {
            EntryMeta meta = store.head(POLYKIT, new EntryKey(key1)).orElseThrow();
            assertEquals(hash1, meta.sha256());
            assertEquals(1_700_000_000_000L, meta.createdMillis());
            try (OpenEntry entry = store.open(POLYKIT, new EntryKey(key1)).orElseThrow()) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                entry.transferTo(out);
                assertEquals("first artifact", out.toString());
            }
            assertEquals(hash2, store.head(POLYKIT, new EntryKey(key2)).orElseThrow().sha256());
        }
        assertEquals(0, LegacyArtifacts.convert(files, POLYKIT), "nothing left to convert");
    }

    @Test
    void aConversionStoppedAfterItsAppendIsFinishedWithoutAppendingTwice() throws Exception {
        String key = "12".repeat(16);
        byte[] data = "artifact bytes".getBytes();
        String hash = legacy(key, data);
        Path zst = root.resolve("artifacts/12/12/" + key + ".zst");
        // The earlier run appended the trailer and stopped before the rename.
        ByteBuffer trailer = EntryFile.trailer(new EntryMeta(data.length, hash, 1_700_000_000_000L, Map.of()));
        try (FileChannel file = FileChannel.open(zst, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            file.write(trailer);
        }
        StorageDirectory files = new StorageDirectory(new ShardLayout(root));
        files.open();

        assertEquals(1, LegacyArtifacts.convert(files, POLYKIT));

        Path entry = files.layout().entry(POLYKIT, new EntryKey(key));
        assertEquals(data.length + trailer.capacity(), Files.size(entry));
        assertArrayEquals(data, java.util.Arrays.copyOf(Files.readAllBytes(entry), data.length));
        assertTrue(Files.isRegularFile(entry));
    }

    @Test
    void aDirectoryWithoutLegacyArtifactsIsLeftAsItIs() throws IOException {
        StorageDirectory files = new StorageDirectory(new ShardLayout(root));
        files.open();
        Files.writeString(root.resolve("ledger.snapshot"), "kept");
        assertEquals(0, LegacyArtifacts.convert(files, POLYKIT));
        assertTrue(Files.exists(root.resolve("ledger.snapshot")));
    }
}
