package io.polycache.store;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Copies an upload into a temp file, paying for it from a space reservation as it goes, while
 * the caller's verifier reads the same bytes and the body's SHA-256 is computed. Backends call
 * it for the part of a put that happens before the commit.
 *
 * <p>A read failure (the client went away, a body over the size limit) wins over a verifier's
 * refusal, so that a body over the limit is answered as such. A refused body is still read to
 * its end, so that the client gets its answer on a clean connection.
 */
public final class VerifiedWrite implements AutoCloseable {
    /**
     * Bodies declared at least this long are hashed and verified on a second thread. Below it a
     * handoff buys little: concurrent uploads keep the cores busy, and the upload is over in
     * milliseconds. With both on one thread a 256 MiB upload took 0.93-1.0 s, two thirds of the
     * CPU on the reading side (bench/run.sh writes, async-profiler).
     */
    static final long PIPELINE_MIN = 4L * 1024 * 1024;
    /** Chunks (of {@link ChunkPipe#CHUNK} bytes) the reader may run ahead of the verifier. */
    static final int PIPE_CHUNKS = 4;

    /** What was written: the body's length and SHA-256 (lower-case hex). */
    public record Written(long size, String sha256) {}

    private final ExecutorService verifiers = Executors.newCachedThreadPool(new java.util.concurrent.ThreadFactory() {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "polycache-verify-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    });

    /**
     * Writes the whole body at the file's current position (not forced to the device) and
     * checks it with the verifier, digest included.
     */
    public Written write(InputStream body, long declaredLength, EntryVerifier verifier, FileChannel file,
            SpaceLedger.Reservation space) throws IOException {
        MessageDigest sha = Sha256.newDigest();
        int bufferSize = bufferSize(declaredLength);
        OutputStream out = new BufferedOutputStream(
                new ReservingOutputStream(Channels.newOutputStream(file), space), bufferSize);
        TeeInputStream tee;
        if (declaredLength >= PIPELINE_MIN) {
            ChunkPipe pipe = new ChunkPipe(PIPE_CHUNKS);
            tee = new TeeInputStream(body, new FanOut(pipe.sink(), out), null);
            verifyAlongside(tee, pipe, verifier, sha);
        } else {
            tee = new TeeInputStream(body, out, sha);
            verifyInline(tee, verifier, bufferSize);
        }
        out.flush();
        String digest = HexFormat.of().formatHex(sha.digest());
        verifier.verifyDigest(digest);
        return new Written(tee.count(), digest);
    }

    /**
     * Copy buffers of 64 KiB, or of the body's declared length when it is shorter (negative if not
     * known): a 4 KiB upload does not allocate (and zero) 128 KiB of buffers. The one sizing rule
     * for every copy of a body or of a part of it.
     */
    public static int bufferSize(long declaredLength) {
        return declaredLength < 0 ? MAX_BUFFER : (int) Math.max(MIN_BUFFER, Math.min(MAX_BUFFER, declaredLength + 1));
    }

    private static final int MAX_BUFFER = 64 * 1024;
    private static final int MIN_BUFFER = 512;

    private static void verifyInline(TeeInputStream tee, EntryVerifier verifier, int bufferSize) throws IOException {
        if (verifier.readsBody()) {
            try {
                verifier.verify(tee);
            } catch (RuntimeException e) {
                if (e instanceof UploadReadException || e instanceof java.io.UncheckedIOException) {
                    throw e;
                }
                tee.drain(bufferSize); // a body over the size limit is answered 413 rather than the refusal
                throw e;
            }
        }
        tee.drain(bufferSize);
    }

    private void verifyAlongside(TeeInputStream tee, ChunkPipe pipe, EntryVerifier verifier, MessageDigest sha)
            throws IOException {
        Future<Void> verification = verifiers.submit(() -> {
            try {
                InputStream bytes = new DigestInputStream(pipe.source(), sha);
                if (verifier.readsBody()) {
                    verifier.verify(bytes);
                }
                bytes.transferTo(OutputStream.nullOutputStream()); // the digest covers every byte
                return null;
            } finally {
                pipe.abandon();
            }
        });
        try {
            tee.drain(MAX_BUFFER);
            tee.closeCopy(); // flushes the last chunk and ends the verifier's stream
        } catch (RuntimeException | IOException e) {
            pipe.fail(new IOException(e.getMessage(), e));
            awaitQuietly(verification);
            throw e;
        }
        try {
            verification.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            verification.cancel(true);
            throw new InterruptedIOException("interrupted while verifying an upload");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure; // the verifier's refusal
            }
            throw new IOException("verification failed", e.getCause());
        }
    }

    private static void awaitQuietly(Future<?> task) {
        try {
            task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // the upload already failed; this is the verifier noticing
        }
    }

    /** Stops the verifier threads; uploads in flight fail. */
    @Override
    public void close() {
        verifiers.shutdownNow();
    }

    /** Writes every byte to the pipe to the verifier first (so it starts sooner), then to the file. */
    private static final class FanOut extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        FanOut(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }

        /** Ends the verifier's stream; the file is closed by its owner. */
        @Override
        public void close() throws IOException {
            first.close();
        }
    }
}
