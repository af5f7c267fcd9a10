package io.polycache.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Hands an upload's bytes from the thread that reads and stores them to the thread that
 * verifies them, at most {@code capacity} chunks ahead, so that a large upload uses both cores
 * without ever being held whole.
 *
 * <p>Either side can stop early and the other never waits for it: when the writer fails, the
 * reader's next read throws; when the reader gives up ({@link #abandon}: verification finished
 * or failed), the writer's chunks are dropped. Closing the reading end does not give up, so a
 * reader that closes its stream can still read the rest.
 */
final class ChunkPipe {
    /**
     * Bytes handed over at a time. Each handoff costs a lock and a wake-up: at 64 KiB they took
     * about a tenth of a 256 MiB upload's CPU (async-profiler).
     */
    static final int CHUNK = 256 * 1024;

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private boolean closed;
    private IOException failure;
    private boolean abandoned;

    ChunkPipe(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    /** The writing end; {@link OutputStream#close()} marks the end of the bytes. */
    OutputStream sink() {
        return new Sink();
    }

    /** The reading end. */
    InputStream source() {
        return new Source();
    }

    /** Ends the bytes with a failure: the reader's next read throws {@code cause}. */
    void fail(IOException cause) {
        lock.lock();
        try {
            if (failure == null) {
                failure = cause;
            }
            closed = true;
            chunks.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The reader is done: whatever else is written is dropped. */
    void abandon() {
        lock.lock();
        try {
            abandoned = true;
            chunks.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void put(byte[] chunk) throws InterruptedIOException {
        lock.lock();
        try {
            while (chunks.size() >= capacity && !abandoned && !closed) {
                await();
            }
            if (!abandoned && !closed) {
                chunks.add(chunk);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The next chunk, or null at the end of the bytes. */
    private byte[] take() throws IOException {
        lock.lock();
        try {
            while (chunks.isEmpty() && !closed) {
                await();
            }
            if (failure != null) {
                throw new IOException("the upload stopped: " + failure.getMessage(), failure);
            }
            byte[] chunk = chunks.poll();
            if (chunk != null) {
                changed.signalAll();
            }
            return chunk;
        } finally {
            lock.unlock();
        }
    }

    private void await() throws InterruptedIOException {
        try {
            changed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while passing upload bytes between threads");
        }
    }

    /** Gathers what it is given into whole chunks: request reads come in a few KiB at a time. */
    private final class Sink extends OutputStream {
        private byte[] chunk = new byte[CHUNK];
        private int filled;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = Math.min(len, CHUNK - filled);
                System.arraycopy(b, off, chunk, filled, n);
                filled += n;
                off += n;
                len -= n;
                if (filled == CHUNK) {
                    put(chunk);
                    chunk = new byte[CHUNK];
                    filled = 0;
                }
            }
        }

        /** Hands over the last, partial chunk and marks the end of the bytes. */
        @Override
        public void close() throws IOException {
            if (filled > 0) {
                put(Arrays.copyOf(chunk, filled));
                filled = 0;
            }
            ChunkPipe.this.close();
        }
    }

    private final class Source extends InputStream {
        private byte[] chunk = new byte[0];
        private int position;
        private boolean ended;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (position == chunk.length) {
                if (ended) {
                    return -1;
                }
                byte[] next = take();
                if (next == null) {
                    ended = true;
                    return -1;
                }
                chunk = next;
                position = 0;
            }
            int n = Math.min(len, chunk.length - position);
            System.arraycopy(chunk, position, b, off, n);
            position += n;
            return n;
        }
    }
}
