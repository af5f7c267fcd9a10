package io.polycache.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;

/**
 * Reads the upload once: every byte read is also written to the temp file and fed to the
 * digest of the stored body (unless the digest is null: left to another thread). Read failures
 * become {@link UploadReadException} (the client's problem), write failures
 * {@link UncheckedIOException} (ours), so neither is taken for malformed content by the readers
 * layered on top.
 */
final class TeeInputStream extends InputStream {
    private final InputStream in;
    private final OutputStream copy;
    private final MessageDigest digest;
    private long count;

    TeeInputStream(InputStream in, OutputStream copy, MessageDigest digest) {
        this.in = in;
        this.copy = copy;
        this.digest = digest;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        int n;
        try {
            n = in.read(b, off, len);
        } catch (IOException e) {
            throw new UploadReadException(e);
        }
        if (n > 0) {
            try {
                copy.write(b, off, n);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (digest != null) {
                digest.update(b, off, n);
            }
            count += n;
        }
        return n;
    }

    /** Reads (and so stores) whatever the readers on top left unread. */
    void drain(int bufferSize) {
        byte[] buffer = new byte[bufferSize];
        while (read(buffer, 0, buffer.length) >= 0) {
            // keep reading
        }
    }

    /** Closes the copy's stream (not the request's). */
    void closeCopy() throws IOException {
        copy.close();
    }

    long count() {
        return count;
    }

    @Override
    public void close() {
        // the request stream belongs to the container
    }
}
