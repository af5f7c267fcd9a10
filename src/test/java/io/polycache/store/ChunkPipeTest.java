package io.polycache.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ChunkPipeTest {
    private final ExecutorService other = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        other.shutdownNow();
    }

    @Test
    void theReaderGetsEveryByteInOrderWhateverTheWriteSizes() throws Exception {
        byte[] data = new byte[5 * ChunkPipe.CHUNK + 12_345];
        new Random(7).nextBytes(data);
        ChunkPipe pipe = new ChunkPipe(2);
        Future<byte[]> read = other.submit(() -> {
            return pipe.source().readAllBytes();
        });

        try (OutputStream out = pipe.sink()) {
            Random sizes = new Random(11);
            int at = 0;
            while (at < data.length) {
                int n = Math.min(data.length - at, 1 + sizes.nextInt(3 * ChunkPipe.CHUNK));
                out.write(data, at, n);
                at += n;
            }
        }

        assertArrayEquals(data, read.get(10, TimeUnit.SECONDS));
    }

    @Test
    void theWriterRunsAtMostCapacityChunksAhead() throws Exception {
        ChunkPipe pipe = new ChunkPipe(2);
        OutputStream out = pipe.sink();
        out.write(new byte[2 * ChunkPipe.CHUNK]); // fills the two slots

        Future<?> third = other.submit(() -> {
            out.write(new byte[ChunkPipe.CHUNK]);
            return null;
        });
        Thread.sleep(200);
        assertTrue(!third.isDone(), "a third chunk waits for the reader");

        InputStream in = pipe.source();
        assertEquals(ChunkPipe.CHUNK, in.readNBytes(new byte[ChunkPipe.CHUNK], 0, ChunkPipe.CHUNK));
        third.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aFailedWriterMakesTheReaderThrow() throws Exception {
        ChunkPipe pipe = new ChunkPipe(4);
        pipe.sink().write(new byte[ChunkPipe.CHUNK]);
        Future<byte[]> read = other.submit(() -> pipe.source().readAllBytes());

        pipe.fail(new IOException("client went away"));

        Exception e = assertThrows(Exception.class, () -> read.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof IOException, e.toString());
        assertTrue(e.getCause().getMessage().contains("client went away"), e.getCause().getMessage());
    }

    @Test
    void aWriterBlockedOnAFullPipeIsReleasedWhenTheReaderGivesUp() throws Exception {
        ChunkPipe pipe = new ChunkPipe(1);
        OutputStream out = pipe.sink();
        Future<?> writer = other.submit(() -> {
            out.write(new byte[10 * ChunkPipe.CHUNK]);
            out.close();
            return null;
        });
        Thread.sleep(100);

        pipe.abandon(); // the verifier finished early or failed

        writer.get(10, TimeUnit.SECONDS);
    }

    @Test
    void anEmptyStreamReadsAsEnded() throws Exception {
        ChunkPipe pipe = new ChunkPipe(1);
        pipe.sink().close();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        pipe.source().transferTo(got);
        assertEquals(0, got.size());
    }
}
