package io.polycache.store.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.store.EntryExistsException;
import io.polycache.store.EntryKey;
import io.polycache.store.EntryStore;
import io.polycache.store.EntryStoreContract;
import io.polycache.store.EntryVerifier;
import io.polycache.store.StorageDirectory;
import io.polycache.store.Namespace;
import io.polycache.store.SpaceLedger;
import io.polycache.store.OpenEntry;
import io.polycache.store.StoreUnavailableException;
import java.io.ByteArrayOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract on the bare S3 backend, over S3Proxy 4.0, and what only this backend does. */
class S3EntryStoreTest extends EntryStoreContract {
    @TempDir
    static Path shared;
    @TempDir
    Path nodeDir;

    private static S3StoreFixture fixture;
    private StorageDirectory node;

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
        return fixture.remote(node, fixture.newPrefix());
    }

    @Override
    protected void damage(Namespace namespace, EntryKey key) {
        fixture.damage((S3EntryStore) store, namespace, key);
    }

    @Override
    protected void corruptBody(Namespace namespace, EntryKey key) {
        fixture.corruptBody((S3EntryStore) store, namespace, key);
    }

    @Override
    protected long temporaryLeftovers() throws IOException {
        return S3StoreFixture.files(node.layout().tmp());
    }

    @Test
    void largeBodiesGoUpInPartsAndStayWriteOnce() throws IOException {
        S3EntryStore parts = new S3EntryStore(fixture.s3, S3StoreFixture.BUCKET, fixture.newPrefix(), node,
                SpaceLedger.unbounded(), new S3Health(), 5L * 1024 * 1024, 5L * 1024 * 1024);
        byte[] body = bytes(12 * 1024 * 1024 + 3, 77);
        EntryKey key = new EntryKey("large");
        assertTrue(parts.put(REFUSE, key, new ByteArrayInputStream(body), body.length, EntryVerifier.NONE, Map.of())
                .created());
        byte[] other = bytes(12 * 1024 * 1024, 78);
        assertThrows(EntryExistsException.class, () -> parts.put(REFUSE, key, new ByteArrayInputStream(other),
                other.length, EntryVerifier.NONE, Map.of()));
        store = parts;
        assertArrayEquals(body, read(REFUSE, key));
        assertEquals(sha256(body), parts.head(REFUSE, key).orElseThrow().sha256());
        assertEquals(0, temporaryLeftovers());
        assertTrue(fixture.s3.listMultipartUploads(b -> b.bucket(S3StoreFixture.BUCKET)).uploads().isEmpty(),
                "the refused upload was aborted");
    }

    @Test
    void theSelfTestPassesOnAStoreWithConditionalWrites() throws Exception {
        ConditionalWriteCheck.run(fixture.s3, S3StoreFixture.BUCKET, fixture.newPrefix());
    }

    @Test
    void replayedHeadersSurviveAnyCharacters() throws IOException {
        Map<String, String> headers = Map.of("x-artifact-tag", "a=b&c d%é", "content-type", "application/x;q=1");
        store.put(REPLACE, new EntryKey("h"), new ByteArrayInputStream(new byte[3]), 3, EntryVerifier.NONE, headers);
        assertEquals(headers, store.head(REPLACE, new EntryKey("h")).orElseThrow().headers());
    }

    private static byte[] readAll(EntryStore from, Namespace namespace, EntryKey key) throws IOException {
        try (OpenEntry entry = from.open(namespace, key).orElseThrow()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            entry.transferTo(out);
            return out.toByteArray();
        }
    }

    @Test
    void readsOfObjectNamesThatNeedEncodingAreSignedAsS3Wants() throws IOException {
        // Reads sign their own GETs (ObjectGets): a name with bytes that are percent-encoded must
        // be signed as S3 computes it, or S3Proxy refuses the signature (a 403, which is a failure).
        try (S3EntryStore odd = fixture.remote(node, "odd name+plus=é~(1)/")) {
            byte[] body = "encoded".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Map<String, String> headers = Map.of("x-artifact-tag", "a=b&c d%é");
            odd.put(REPLACE, new EntryKey("k~._-1"), new ByteArrayInputStream(body), body.length, EntryVerifier.NONE,
                    headers);
            assertArrayEquals(body, readAll(odd, REPLACE, new EntryKey("k~._-1")));
            try (OpenEntry entry = odd.open(REPLACE, new EntryKey("k~._-1")).orElseThrow()) {
                assertEquals(headers, entry.meta().headers());
                assertEquals(body.length, entry.meta().size());
            }
            assertTrue(odd.open(REPLACE, new EntryKey("absent")).isEmpty());
        }
    }

    @Test
    void aMissingBucketIsAFailureNotAMiss() throws IOException {
        try (S3EntryStore nowhere = new S3EntryStore(fixture.s3, "no-such-bucket", "p/", node, SpaceLedger.unbounded(),
                new S3Health())) {
            assertThrows(StoreUnavailableException.class, () -> nowhere.open(REPLACE, new EntryKey("k")));
            assertTrue(nowhere.health().failure().isPresent());
        }
    }

    @Test
    void aReadWithS3DownFailsAndTheNextOneAfterItsRestartIsServed() throws Exception {
        byte[] before = "read before".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] after = "read after".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        store.put(REPLACE, new EntryKey("before"), new ByteArrayInputStream(before), before.length, EntryVerifier.NONE, Map.of());
        store.put(REPLACE, new EntryKey("after"), new ByteArrayInputStream(after), after.length, EntryVerifier.NONE, Map.of());
        assertArrayEquals(before, readAll(store, REPLACE, new EntryKey("before"))); // a pooled connection now
        fixture.proxy.stop();
        try {
            assertThrows(StoreUnavailableException.class, () -> store.open(REPLACE, new EntryKey("after")));
        } finally {
            fixture.proxy.restart();
        }
        assertArrayEquals(after, readAll(store, REPLACE, new EntryKey("after")));
    }
}
