package io.polycache.store.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.store.EntryKey;
import io.polycache.store.EntryStore;
import io.polycache.store.EntryStoreContract;
import io.polycache.store.StorageDirectory;
import io.polycache.store.Namespace;
import io.polycache.store.OpenEntry;
import io.polycache.store.SpaceLedger;
import io.polycache.store.fs.FsEntryStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract on a node's tiered store (local tier over S3Proxy 4.0), and the tier's own rules. */
class TieredEntryStoreTest extends EntryStoreContract {
    @TempDir
    static Path shared;
    @TempDir
    Path nodeDir;

    private static S3StoreFixture fixture;
    private StorageDirectory node;
    private StorageDirectory localFiles;
    private S3EntryStore remote;

    @BeforeAll
    static void startS3() throws Exception {
        fixture = new S3StoreFixture(shared);
    }

    @AfterAll
    static void stopS3() {
        fixture.close();
    }

    @Override
    protected EntryStore newStore() throws IOException {
        node = S3StoreFixture.node(nodeDir);
        localFiles = S3StoreFixture.node(nodeDir.resolve("local-tier"));
        remote = fixture.remote(node, fixture.newPrefix());
        return new TieredEntryStore(new FsEntryStore(localFiles, SpaceLedger.unbounded()), localFiles, remote);
    }

    @Override
    protected void damage(Namespace namespace, EntryKey key) {
        fixture.damage(remote, namespace, key);
    }

    @Override
    protected void corruptBody(Namespace namespace, EntryKey key) {
        fixture.corruptBody(remote, namespace, key);
    }

    @Override
    protected long temporaryLeftovers() throws IOException {
        return S3StoreFixture.files(node.layout().tmp()) + S3StoreFixture.files(localFiles.layout().tmp());
    }

    private Path localFile(Namespace namespace, EntryKey key) {
        return localFiles.layout().entry(namespace, key);
    }

    @Test
    void aReadFillsTheLocalTierWhichThenServesWithoutS3() throws Exception {
        byte[] body = bytes(300_000, 3);
        EntryKey key = new EntryKey("warm");
        put(REFUSE, key, body);
        assertTrue(Files.notExists(localFile(REFUSE, key)), "a write does not fill the local tier");
        assertArrayEquals(body, read(REFUSE, key));
        assertTrue(Files.exists(localFile(REFUSE, key)), "a read does");
        long fetches = ((TieredEntryStore) store).fetches();
        fixture.proxy.stop();
        try {
            assertArrayEquals(body, read(REFUSE, key), "served from the local tier with S3 down");
            assertEquals(fetches, ((TieredEntryStore) store).fetches());
        } finally {
            fixture.proxy.restart();
        }
    }

    @Test
    void eachReadIsOneUseWhetherItFetchesOrHitsTheLocalTier() throws Exception {
        // A cold read reports its use from the bucket GET; when that fill is over before the reader
        // joins it, the read goes on to the local copy, which must not report the use again.
        try (Touches touches = new Touches(fixture.s3, S3StoreFixture.BUCKET, java.time.Duration.ofDays(1))) {
            remote.useTouches(touches);
            int keys = 200;
            for (int i = 0; i < keys; i++) {
                put(REFUSE, new EntryKey("use-" + i), new byte[] {(byte) i});
            }
            for (int i = 0; i < keys; i++) {
                assertArrayEquals(new byte[] {(byte) i}, read(REFUSE, new EntryKey("use-" + i)), "cold read " + i);
            }
            assertArrayEquals(new byte[] {7}, read(REFUSE, new EntryKey("use-7")), "a local hit");
            assertEquals(keys + 1, touches.skipped() + touches.done() + touches.failed(),
                    "uses reported for " + (keys + 1) + " reads (all fresh: skipped)");
            assertEquals(keys, ((TieredEntryStore) store).fetches());
        }
    }

    @Test
    void concurrentMissesOfOneKeyShareOneGet() throws Exception {
        byte[] body = bytes(8 * 1024 * 1024, 4);
        EntryKey key = new EntryKey("shared");
        put(REFUSE, key, body);
        int readers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(readers);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<byte[]>> reads = new ArrayList<>();
            for (int i = 0; i < readers; i++) {
                reads.add(pool.submit(() -> {
                    start.await();
                    return read(REFUSE, key);
                }));
            }
            start.countDown();
            for (Future<byte[]> read : reads) {
                assertArrayEquals(body, read.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, ((TieredEntryStore) store).fetches(), "one S3 GET for all readers");
        assertEquals(0, temporaryLeftovers());
    }

    @Test
    void aDamagedObjectIsCutShortAndNeverKeptLocally() throws Exception {
        byte[] body = bytes(200_000, 5);
        EntryKey key = new EntryKey("bitrot");
        put(REPLACE, key, body);
        // Same length and metadata, other bytes: only the SHA-256 tells.
        String name = remote.objectKey(REPLACE, key);
        var head = fixture.s3.headObject(b -> b.bucket(S3StoreFixture.BUCKET).key(name));
        byte[] rotten = body.clone();
        rotten[150_000] ^= 1;
        fixture.s3.putObject(b -> b.bucket(S3StoreFixture.BUCKET).key(name).metadata(head.metadata()),
                software.amazon.awssdk.core.sync.RequestBody.fromBytes(rotten));
        try (OpenEntry entry = store.open(REPLACE, key).orElseThrow()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> entry.transferTo(out));
            assertTrue(out.size() < body.length, "never the whole length: " + out.size());
        }
        Thread.sleep(200);
        assertTrue(Files.notExists(localFile(REPLACE, key)));
        assertEquals(0, temporaryLeftovers());
    }
}
