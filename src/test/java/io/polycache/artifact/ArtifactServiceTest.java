package io.polycache.artifact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.store.ArtifactStore;
import io.polycache.store.CacheKey;
import io.polycache.store.FileStore;
import io.polycache.store.ShardLayout;
import io.polycache.store.SpaceLedger;
import io.polycache.store.StoredArtifact;
import io.polycache.testing.PolykitArtifact;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class ArtifactServiceTest {
    /** Declared lengths that take the single-thread path (-1: not declared) and the two-thread one. */
    private static final long INLINE = -1;
    private static final long PIPELINED = ArtifactService.PIPELINE_MIN;

    @TempDir
    Path root;

    private ArtifactStore store;
    private ArtifactService service;

    @BeforeEach
    void open() throws IOException {
        FileStore files = new FileStore(new ShardLayout(root));
        files.open();
        store = new ArtifactStore(files, SpaceLedger.unbounded());
        service = new ArtifactService(store);
    }

    @AfterEach
    void close() {
        service.close();
    }

    /** A valid artifact of a few MiB of incompressible output. */
    private static PolykitArtifact large(String key) {
        byte[] output = new byte[5 * 1024 * 1024 + 77];
        new Random(3).nextBytes(output);
        return new PolykitArtifact(key, Map.of("bin/tool", output));
    }

    private static long declared(long mode, byte[] body) {
        return mode == INLINE ? INLINE : Math.max(PIPELINED, body.length);
    }

    @ParameterizedTest
    @ValueSource(longs = {INLINE, PIPELINED})
    void aValidUploadIsStoredWithTheHashOfItsBytes(long mode) throws IOException {
        String key = PolykitArtifact.randomKey(64);
        byte[] body = large(key).bytes();

        ArtifactService.ArtifactInfo info = service.put(CacheKey.parse(key), new ByteArrayInputStream(body), declared(mode, body));

        assertEquals(PolykitArtifact.sha256(body), info.hash());
        assertEquals(body.length, info.size());
        try (StoredArtifact stored = store.open(CacheKey.parse(key)).orElseThrow()) {
            ByteBuffer read = ByteBuffer.allocate(body.length);
            while (read.hasRemaining() && stored.data().read(read) > 0) {
                // fill
            }
            assertArrayEquals(body, read.array());
        }
        assertTmpEmpty();
    }

    @ParameterizedTest
    @ValueSource(longs = {INLINE, PIPELINED})
    void anUploadWhoseContentDoesNotMatchItsManifestIsRefusedAndLeavesNothing(long mode) throws IOException {
        String key = PolykitArtifact.randomKey(64);
        PolykitArtifact artifact = large(key);
        artifact.outputs.get("bin/tool")[1000] ^= 1; // the manifest keeps the old digest
        byte[] body = artifact.bytes();

        InvalidArtifactException e = assertThrows(InvalidArtifactException.class,
                () -> service.put(CacheKey.parse(key), new ByteArrayInputStream(body), declared(mode, body)));

        assertTrue(e.getMessage().contains("SHA-256 mismatch"), e.getMessage());
        assertTrue(store.open(CacheKey.parse(key)).isEmpty());
        assertTmpEmpty();
    }

    @ParameterizedTest
    @ValueSource(longs = {INLINE, PIPELINED})
    void aBodyThatBreaksOffIsAReadFailureAndLeavesNothing(long mode) throws IOException {
        String key = PolykitArtifact.randomKey(64);
        byte[] body = large(key).bytes();
        InputStream breaksOff = new InputStream() {
            private final InputStream in = new ByteArrayInputStream(Arrays.copyOf(body, body.length / 2));

            @Override
            public int read() throws IOException {
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
                () -> service.put(CacheKey.parse(key), breaksOff, declared(mode, body)));

        assertTrue(store.open(CacheKey.parse(key)).isEmpty());
        assertTmpEmpty();
        assertFalse(Thread.getAllStackTraces().values().stream().flatMap(Arrays::stream)
                .anyMatch(frame -> frame.getClassName().startsWith(ChunkPipe.class.getName())),
                "no thread is left waiting on the pipe");
        // and the service goes on working
        String next = PolykitArtifact.randomKey(64);
        byte[] nextBody = large(next).bytes();
        service.put(CacheKey.parse(next), new ByteArrayInputStream(nextBody), declared(mode, nextBody));
    }

    private void assertTmpEmpty() throws IOException {
        try (Stream<Path> left = Files.list(root.resolve("tmp"))) {
            assertEquals(0, left.count());
        }
    }

    @Test
    void readsHashAndSizeWhateverTheFieldOrder() throws IOException {
        String json = "{\"package_name\":{\"nested\":[1,2]},\"size\":42,\"created_at\":1,\"hash\":\"ab12\"}";
        assertEquals(new ArtifactService.ArtifactInfo("ab12", 42),
                ArtifactService.infoOf(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void metadataWithoutHashOrSizeIsAnError() {
        assertThrows(IOException.class, () -> ArtifactService.infoOf("{\"hash\":\"x\"}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IOException.class, () -> ArtifactService.infoOf("[]".getBytes(StandardCharsets.UTF_8)));
    }
}
