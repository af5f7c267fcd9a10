package io.polycache.artifact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.store.CacheKey;
import io.polycache.store.ChunkPipeProbe;
import io.polycache.store.StorageDirectory;
import io.polycache.store.OpenEntry;
import io.polycache.store.ShardLayout;
import io.polycache.store.SpaceLedger;
import io.polycache.store.UploadReadException;
import io.polycache.store.fs.FsEntryStore;
import java.io.ByteArrayOutputStream;
import io.polycache.testing.PolykitArtifact;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
    private static final long PIPELINED = ChunkPipeProbe.PIPELINE_MIN;

    @TempDir
    Path root;

    private FsEntryStore store;
    private ArtifactService service;

    @BeforeEach
    void open() throws IOException {
        StorageDirectory files = new StorageDirectory(new ShardLayout(root));
        files.open();
        store = new FsEntryStore(files, SpaceLedger.unbounded());
        service = new ArtifactService(store);
    }

    @AfterEach
    void close() {
        store.close();
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
        try (OpenEntry stored = service.open(CacheKey.parse(key)).orElseThrow()) {
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            stored.transferTo(read);
            assertArrayEquals(body, read.toByteArray());
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
        assertTrue(service.open(CacheKey.parse(key)).isEmpty());
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

        assertTrue(service.open(CacheKey.parse(key)).isEmpty());
        assertTmpEmpty();
        assertFalse(Thread.getAllStackTraces().values().stream().flatMap(Arrays::stream)
                .anyMatch(frame -> frame.getClassName().startsWith(ChunkPipeProbe.CHUNK_PIPE_CLASS)),
                "no thread is left waiting on the pipe");
        // and the service goes on working
        String next = PolykitArtifact.randomKey(64);
        byte[] nextBody = large(next).bytes();
        service.put(CacheKey.parse(next), new ByteArrayInputStream(nextBody), declared(mode, nextBody));
    }

    private void assertTmpEmpty() throws IOException {
        assertEquals(List.of(), io.polycache.testing.TempFiles.left(root.resolve("tmp")));
    }
}
