package io.polycache.store;

import io.polycache.store.SpaceLedger;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Reserves space ahead of the bytes it writes, in steps, so an upload of unknown length holds
 * what it will take before it takes it and fails (507) before passing the hard limit.
 */
final class ReservingOutputStream extends FilterOutputStream {
    static final long STEP = 64 * 1024;

    private final SpaceLedger.Reservation space;
    private long written;

    ReservingOutputStream(OutputStream out, SpaceLedger.Reservation space) {
        super(out);
        this.space = space;
    }

    @Override
    public void write(int b) throws IOException {
        reserveFor(1);
        out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        reserveFor(len);
        out.write(b, off, len);
    }

    private void reserveFor(int len) {
        written += len;
        if (written > space.held()) {
            space.ensure(Math.max(written, space.held() + STEP));
        }
    }
}
