package io.polycache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobFormatTest {
    @TempDir
    Path storage;

    private StorageDirectory open() throws IOException {
        StorageDirectory files = new StorageDirectory(new ShardLayout(storage));
        files.open();
        return files;
    }

    @Test
    void aNewStoreIsMarkedAndKeepsWhatItHolds() throws IOException {
        StorageDirectory files = open();
        assertFalse(BlobFormat.upgrade(files));
        assertEquals("2\n", Files.readString(storage.resolve("objects.format")));
        Files.createDirectories(storage.resolve("objects/ab/cd"));
        Files.writeString(storage.resolve("objects/ab/cd/abcd"), "x");
        assertFalse(BlobFormat.upgrade(files));
        assertTrue(Files.exists(storage.resolve("objects/ab/cd/abcd")));
    }

    @Test
    void aDependencyCacheOfTheOldFormatIsRemovedButArtifactsStay() throws IOException {
        for (String file : new String[] {"objects/ab/cd/abcd", "indexes/ab/cd/abcd.npm.1_2.index",
                "bundles/ab/cd/abcd.zip", "artifacts/ab/cd/abcd.json", "ledger.snapshot"}) {
            Files.createDirectories(storage.resolve(file).getParent());
            Files.writeString(storage.resolve(file), "x");
        }
        StorageDirectory files = open();
        assertTrue(BlobFormat.upgrade(files));
        assertFalse(Files.exists(storage.resolve("objects")));
        assertFalse(Files.exists(storage.resolve("indexes")));
        assertFalse(Files.exists(storage.resolve("bundles")));
        assertFalse(Files.exists(storage.resolve("ledger.snapshot")), "the ledger is rebuilt by a scan");
        assertTrue(Files.exists(storage.resolve("artifacts/ab/cd/abcd.json")));
        assertFalse(BlobFormat.upgrade(files));
    }
}
