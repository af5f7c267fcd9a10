package io.polycache.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The storage contract, written once and run against every backend (each backend's test
 * extends this and says how to make a store, damage an entry and find leftovers).
 */
@Timeout(120)
public abstract class EntryStoreContract {
    protected static final Namespace REFUSE = new Namespace("polykit", WritePolicy.WRITE_ONCE_REFUSE);
    protected static final Namespace ACCEPT = new Namespace("bazel/cas", WritePolicy.WRITE_ONCE_ACCEPT);
    protected static final Namespace REPLACE = new Namespace("turbo/web", WritePolicy.REPLACE);
    private static final int WRITERS = 32;
    /** Sizes on either side of the backends' small-body and pipelined-upload thresholds. */
    private static final int[] SIZES = {0, 1, 4096, 200 * 1024, 5 * 1024 * 1024};

    protected EntryStore store;

    /** A fresh, empty store. */
    protected abstract EntryStore newStore() throws IOException;

    /** Damages the stored entry as a crash or a bad disk would (torn, truncated). */
    protected abstract void damage(Namespace namespace, EntryKey key) throws IOException;

    /** Flips one byte of the stored body, as a bad disk would, leaving the metadata whole. */
    protected abstract void corruptBody(Namespace namespace, EntryKey key) throws IOException;

    /** Files or objects a put left behind in the backend's temp area. */
    protected abstract long temporaryLeftovers() throws IOException;

    @BeforeEach
    void openStore() throws IOException {
        store = newStore();
    }

    @AfterEach
    void closeStore() throws Exception {
        if (store instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    protected static byte[] bytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    protected static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    protected EntryStore.Stored put(Namespace namespace, EntryKey key, byte[] body) throws IOException {
        return store.put(namespace, key, new ByteArrayInputStream(body), body.length, EntryVerifier.NONE, Map.of());
    }

    protected byte[] read(Namespace namespace, EntryKey key) throws IOException {
        try (OpenEntry entry = store.open(namespace, key).orElseThrow()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            entry.transferTo(out);
            return out.toByteArray();
        }
    }

    private static EntryKey key(String text) {
        return new EntryKey(text);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void aPutIsReadBackWithItsMetadata(int sizeIndex) throws IOException {
        byte[] body = bytes(SIZES[sizeIndex], sizeIndex);
        Map<String, String> headers = Map.of("x-artifact-duration", "559", "x-artifact-tag", "3oiEoslu/cGs55K=");

        long before = System.currentTimeMillis();
        EntryStore.Stored stored = store.put(REPLACE, key("abc123"), new ByteArrayInputStream(body), body.length,
                EntryVerifier.NONE, headers);

        assertTrue(stored.created());
        assertEquals(body.length, stored.meta().size());
        assertEquals(sha256(body), stored.meta().sha256());
        EntryMeta head = store.head(REPLACE, key("abc123")).orElseThrow();
        assertEquals(stored.meta(), head);
        assertEquals(headers, head.headers());
        assertTrue(head.createdMillis() >= before - 1000, "created " + head.createdMillis());
        assertArrayEquals(body, read(REPLACE, key("abc123")));
        try (OpenEntry entry = store.open(REPLACE, key("abc123")).orElseThrow()) {
            assertEquals(stored.meta(), entry.meta());
        }
        assertEquals(0, temporaryLeftovers());
    }

    @Test
    void anUndeclaredLengthIsStoredAsWell() throws IOException {
        byte[] body = bytes(300_000, 9);
        store.put(REPLACE, key("chunked"), new ByteArrayInputStream(body), -1, EntryVerifier.NONE, Map.of());
        assertArrayEquals(body, read(REPLACE, key("chunked")));
    }

    @Test
    void aMissingEntryIsEmptyEverywhere() throws IOException {
        assertTrue(store.head(REFUSE, key("missing")).isEmpty());
        assertTrue(store.open(REFUSE, key("missing")).isEmpty());
        assertFalse(store.delete(REFUSE, key("missing")));
    }

    @Test
    void namespacesAreSeparateKeyspaces() throws IOException {
        put(REPLACE, key("same"), "turbo".getBytes(StandardCharsets.UTF_8));
        Namespace otherTeam = new Namespace("turbo/mobile", WritePolicy.REPLACE);
        assertTrue(store.head(otherTeam, key("same")).isEmpty());
        put(otherTeam, key("same"), "mobile".getBytes(StandardCharsets.UTF_8));
        assertEquals("turbo", new String(read(REPLACE, key("same")), StandardCharsets.UTF_8));
        assertEquals("mobile", new String(read(otherTeam, key("same")), StandardCharsets.UTF_8));
    }

    @Test
    void writeOnceRefuseKeepsTheFirstOfConcurrentWriters() throws Exception {
        List<Object> outcomes = race(REFUSE, key("race"));
        List<Integer> winners = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i) instanceof EntryStore.Stored stored) {
                assertTrue(stored.created());
                winners.add(i);
            } else {
                assertTrue(outcomes.get(i) instanceof EntryExistsException, String.valueOf(outcomes.get(i)));
            }
        }
        assertEquals(1, winners.size(), outcomes.toString());
        assertArrayEquals(raceBody(winners.get(0)), read(REFUSE, key("race")));
        assertThrows(EntryExistsException.class, () -> put(REFUSE, key("race"), new byte[] {1}));
        assertEquals(0, temporaryLeftovers());
    }

    @Test
    void writeOnceAcceptKeepsTheFirstAndAnswersEveryWriterWithIt() throws Exception {
        List<Object> outcomes = race(ACCEPT, key("race"));
        int created = 0;
        String stored = null;
        for (Object outcome : outcomes) {
            EntryStore.Stored result = (EntryStore.Stored) outcome;
            if (result.created()) {
                created++;
                stored = result.meta().sha256();
            }
        }
        assertEquals(1, created);
        for (Object outcome : outcomes) {
            assertEquals(stored, ((EntryStore.Stored) outcome).meta().sha256());
        }
        assertEquals(stored, sha256(read(ACCEPT, key("race"))));
        EntryStore.Stored again = put(ACCEPT, key("race"), new byte[] {1});
        assertFalse(again.created());
        assertEquals(stored, again.meta().sha256());
        assertEquals(0, temporaryLeftovers());
    }

    @Test
    void replaceLeavesExactlyOneWholeBodyOfConcurrentWriters() throws Exception {
        List<Object> outcomes = race(REPLACE, key("race"));
        for (Object outcome : outcomes) {
            assertTrue(((EntryStore.Stored) outcome).created(), String.valueOf(outcome));
        }
        byte[] stored = read(REPLACE, key("race"));
        boolean whole = false;
        for (int i = 0; i < WRITERS; i++) {
            whole |= java.util.Arrays.equals(raceBody(i), stored);
        }
        assertTrue(whole, "the stored body is one writer's, whole");
        assertEquals(sha256(stored), store.head(REPLACE, key("race")).orElseThrow().sha256());
        put(REPLACE, key("race"), "last".getBytes(StandardCharsets.UTF_8));
        assertEquals("last", new String(read(REPLACE, key("race")), StandardCharsets.UTF_8));
        assertEquals(0, temporaryLeftovers());
    }

    private static byte[] raceBody(int writer) {
        return bytes(10_000 + writer * 7_919, writer);
    }

    /** WRITERS puts of one key at once, each with its own body; their results or failures in order. */
    private List<Object> race(Namespace namespace, EntryKey key) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Object>> futures = new ArrayList<>();
            for (int i = 0; i < WRITERS; i++) {
                byte[] body = raceBody(i);
                futures.add(pool.submit(() -> {
                    start.await();
                    try {
                        return put(namespace, key, body);
                    } catch (EntryExistsException e) {
                        return e;
                    }
                }));
            }
            start.countDown();
            List<Object> outcomes = new ArrayList<>();
            for (Future<Object> future : futures) {
                outcomes.add(future.get());
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRefusedBodyLeavesNothing() throws IOException {
        byte[] body = bytes(100_000, 1);
        EntryVerifier refuses = in -> {
            in.readNBytes(10);
            throw new IllegalStateException("not valid");
        };
        assertThrows(IllegalStateException.class, () -> store.put(REFUSE, key("refused"),
                new ByteArrayInputStream(body), body.length, refuses, Map.of()));
        assertTrue(store.head(REFUSE, key("refused")).isEmpty());
        assertEquals(0, temporaryLeftovers());
    }

    @Test
    void aDigestCheckRefusesABodyThatIsNotItsKey() throws IOException {
        byte[] body = "content".getBytes(StandardCharsets.UTF_8);
        String wrong = sha256("other".getBytes(StandardCharsets.UTF_8));
        EntryVerifier digest = EntryVerifier.sha256Equals(wrong, actual -> new IllegalArgumentException(actual));
        assertThrows(IllegalArgumentException.class, () -> store.put(ACCEPT, key(wrong),
                new ByteArrayInputStream(body), body.length, digest, Map.of()));
        assertTrue(store.head(ACCEPT, key(wrong)).isEmpty());
        String right = sha256(body);
        assertTrue(store.put(ACCEPT, key(right), new ByteArrayInputStream(body), body.length,
                EntryVerifier.sha256Equals(right, IllegalArgumentException::new), Map.of()).created());
    }

    @Test
    void aBodyThatBreaksOffIsAReadFailureAndLeavesNothing() throws IOException {
        byte[] body = bytes(6 * 1024 * 1024, 2);
        for (long declared : new long[] {-1, body.length}) {
            InputStream breaksOff = new InputStream() {
                private final InputStream in = new ByteArrayInputStream(body, 0, body.length / 2);

                @Override
                public int read() {
                    throw new UnsupportedOperationException();
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = in.read(b, off, len);
                    if (n < 0) {
                        throw new IOException("connection reset");
                    }
                    return n;
                }
            };
            assertThrows(UploadReadException.class,
                    () -> store.put(REPLACE, key("broken"), breaksOff, declared, EntryVerifier.NONE, Map.of()));
            assertTrue(store.head(REPLACE, key("broken")).isEmpty());
            assertEquals(0, temporaryLeftovers());
        }
    }

    @Test
    void aDamagedEntryIsNeverServedAndAPutHealsIt() throws IOException {
        for (Namespace namespace : List.of(REFUSE, ACCEPT, REPLACE)) {
            for (int size : new int[] {100, 300_000}) {
                EntryKey key = key("damaged" + size);
                byte[] body = bytes(size, size);
                put(namespace, key, body);
                damage(namespace, key);

                assertTrue(store.open(namespace, key).isEmpty(), namespace + " " + size);
                assertTrue(store.head(namespace, key).isEmpty(), namespace + " " + size);
                assertTrue(put(namespace, key, body).created(), namespace + " " + size);
                assertArrayEquals(body, read(namespace, key));
            }
        }
    }

    @Test
    void aCorruptedBodyIsNeverReadWholeAndIsRemoved() throws IOException {
        for (int size : new int[] {100, 300_000}) {
            EntryKey key = key("corrupted" + size);
            byte[] body = bytes(size, size);
            put(REFUSE, key, body);
            corruptBody(REFUSE, key);

            Optional<OpenEntry> opened = store.open(REFUSE, key);
            if (opened.isPresent()) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (OpenEntry entry = opened.get()) {
                    assertThrows(IOException.class, () -> entry.transferTo(out), "size " + size);
                }
                assertTrue(out.size() < size, "never the whole body: " + out.size());
            }
            assertTrue(store.head(REFUSE, key).isEmpty(), "removed once found, size " + size);
            assertTrue(put(REFUSE, key, body).created(), "and a put stores it again");
            assertArrayEquals(body, read(REFUSE, key));
        }
    }

    @Test
    void aReaderKeepsItsBytesWhileTheEntryIsDeletedOrReplaced() throws IOException {
        byte[] body = bytes(3 * 1024 * 1024, 5);
        for (Namespace namespace : List.of(REFUSE, REPLACE)) {
            put(namespace, key("streaming"), body);
            try (OpenEntry entry = store.open(namespace, key("streaming")).orElseThrow()) {
                if (namespace == REPLACE) {
                    put(namespace, key("streaming"), "new".getBytes(StandardCharsets.UTF_8));
                } else {
                    assertTrue(store.delete(namespace, key("streaming")));
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                entry.transferTo(out);
                assertArrayEquals(body, out.toByteArray());
                assertEquals(sha256(body), entry.meta().sha256());
            }
        }
        assertTrue(store.head(REFUSE, key("streaming")).isEmpty());
        assertEquals("new", new String(read(REPLACE, key("streaming")), StandardCharsets.UTF_8));
    }

    @Test
    void headersTheStoreWouldNotKeepAreRefusedBeforeAnythingIsWritten() {
        Map<String, String> upperCase = Map.of("X-Artifact-Tag", "t");
        assertThrows(IllegalArgumentException.class, () -> store.put(REPLACE, key("h"),
                new ByteArrayInputStream(new byte[1]), 1, EntryVerifier.NONE, upperCase));
        Map<String, String> tooLong = Map.of("x-artifact-tag", "t".repeat(EntryMeta.MAX_HEADER_VALUE + 1));
        assertThrows(IllegalArgumentException.class, () -> store.put(REPLACE, key("h"),
                new ByteArrayInputStream(new byte[1]), 1, EntryVerifier.NONE, tooLong));
    }
}
