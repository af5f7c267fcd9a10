package io.polycache.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactStoreTest {
    @TempDir
    Path root;

    private FileStore files;
    private ArtifactStore store;
    private final CacheKey key = CacheKey.parse("0123456789abcdef0123456789abcdef");

    @BeforeEach
    void open() throws IOException {
        files = new FileStore(new ShardLayout(root));
        files.open();
        store = new ArtifactStore(files, SpaceLedger.unbounded());
    }

    private SpaceLedger.Reservation space() {
        return store.ledger().reserve(0);
    }

    private Path temp(String content) throws IOException {
        Path temp = files.newTempFile(".zst");
        Files.writeString(temp, content);
        return temp;
    }

    @Test
    void committedArtifactIsReadBackWithItsMetadata() throws IOException {
        store.commit(key, temp("data"), "{\"hash\":\"h\"}".getBytes(StandardCharsets.UTF_8), space());

        try (StoredArtifact artifact = store.open(key).orElseThrow()) {
            assertEquals(4, artifact.size());
            ByteBuffer buffer = ByteBuffer.allocate(4);
            artifact.data().read(buffer);
            assertEquals("data", new String(buffer.array(), StandardCharsets.UTF_8));
            assertEquals("{\"hash\":\"h\"}", new String(artifact.metadata(), StandardCharsets.UTF_8));
        }
        assertTrue(Files.exists(root.resolve("artifacts/01/23/" + key + ".zst")));
        assertTrue(Files.exists(root.resolve("artifacts/01/23/" + key + ".json")));
    }

    @Test
    void commitOfAStoredKeyThrowsAndKeepsTheFirstBytes() throws IOException {
        store.commit(key, temp("first"), "{}".getBytes(StandardCharsets.UTF_8), space());
        Path second = temp("second");

        assertThrows(EntryExistsException.class, () -> store.commit(key, second, "{}".getBytes(StandardCharsets.UTF_8), space()));

        assertEquals("first", Files.readString(root.resolve("artifacts/01/23/" + key + ".zst")));
    }

    @Test
    void dataWithoutMetadataIsInvisibleAndReplacedByTheNextCommit() throws IOException {
        Path orphan = root.resolve("artifacts/01/23/" + key + ".zst");
        Files.createDirectories(orphan.getParent());
        Files.writeString(orphan, "half");

        assertFalse(store.exists(key));
        assertTrue(store.open(key).isEmpty());

        store.commit(key, temp("whole"), "{}".getBytes(StandardCharsets.UTF_8), space());
        assertEquals("whole", Files.readString(orphan));
    }

    @Test
    void ofConcurrentCommitsOfOneKeyExactlyOneWins() throws Exception {
        int writers = 20;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            String content = "writer-" + i;
            Path temp = temp(content);
            results.add(pool.submit(() -> {
                start.await();
                try {
                    store.commit(key, temp, "{}".getBytes(StandardCharsets.UTF_8), space());
                    return content;
                } catch (EntryExistsException e) {
                    return null;
                }
            }));
        }
        start.countDown();
        List<String> winners = new ArrayList<>();
        for (Future<String> result : results) {
            String winner = result.get();
            if (winner != null) {
                winners.add(winner);
            }
        }
        pool.shutdown();

        assertEquals(1, winners.size());
        assertEquals(winners.get(0), Files.readString(root.resolve("artifacts/01/23/" + key + ".zst")));
    }

    @Test
    void openEmptiesTmpOfUnfinishedWrites() throws IOException {
        Path leftover = temp("unfinished");
        Files.createDirectories(root.resolve("tmp/install-1/node_modules"));

        files.open();

        assertFalse(Files.exists(leftover));
        try (var entries = Files.list(root.resolve("tmp"))) {
            assertEquals(0, entries.count());
        }
    }

    @Test
    void metadataIsWrittenWhole() throws IOException {
        byte[] metadata = "{\"hash\":\"abc\",\"size\":4}".getBytes(StandardCharsets.UTF_8);
        store.commit(key, temp("data"), metadata, space());
        assertArrayEquals(metadata, store.metadata(key).orElseThrow());
    }

    @Test
    void aDeletedAndRecommittedKeyIsReadWithItsNewMetadata() throws IOException {
        store.commit(key, temp("first"), "{\"hash\":\"1\"}".getBytes(StandardCharsets.UTF_8), space());
        assertEquals("{\"hash\":\"1\"}", new String(store.metadata(key).orElseThrow(), StandardCharsets.UTF_8));

        store.delete(key);
        assertTrue(store.metadata(key).isEmpty());
        assertTrue(store.open(key).isEmpty());

        store.commit(key, temp("second"), "{\"hash\":\"2\"}".getBytes(StandardCharsets.UTF_8), space());
        try (StoredArtifact artifact = store.open(key).orElseThrow()) {
            assertEquals("{\"hash\":\"2\"}", new String(artifact.metadata(), StandardCharsets.UTF_8));
            assertEquals(6, artifact.size());
        }
    }

    @Test
    void metadataOfAnArtifactStoredBeforeStartIsReadFromItsFile() throws IOException {
        store.commit(key, temp("data"), "{\"hash\":\"h\"}".getBytes(StandardCharsets.UTF_8), space());
        // a new store over the same directory, as after a restart: nothing in memory
        ArtifactStore reopened = new ArtifactStore(files, SpaceLedger.unbounded());

        assertEquals("{\"hash\":\"h\"}", new String(reopened.metadata(key).orElseThrow(), StandardCharsets.UTF_8));
        try (StoredArtifact artifact = reopened.open(key).orElseThrow()) {
            assertEquals(4, artifact.size());
        }
    }

    @Test
    void dataRemovedBehindTheStoresBackReadsAsMissing() throws IOException {
        store.commit(key, temp("data"), "{\"hash\":\"h\"}".getBytes(StandardCharsets.UTF_8), space());
        assertTrue(store.open(key).isPresent());

        Files.delete(root.resolve("artifacts/01/23/" + key + ".zst"));

        assertTrue(store.open(key).isEmpty());
    }
}
