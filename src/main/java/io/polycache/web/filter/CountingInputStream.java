package io.polycache.web.filter;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;

/** A request body that counts what is read from it; subclasses act on the count. */
class CountingInputStream extends ServletInputStream {
    private final ServletInputStream in;
    private long count;

    CountingInputStream(ServletInputStream in) {
        this.in = in;
    }

    /** Called before each read from the connection. */
    protected void beforeRead() {}

    /** Called after bytes were read; {@link #count()} includes them. */
    protected void afterRead() {}

    long count() {
        return count;
    }

    @Override
    public int read() throws IOException {
        beforeRead();
        int b = in.read();
        if (b >= 0) {
            count++;
            afterRead();
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        beforeRead();
        int n = in.read(b, off, len);
        if (n > 0) {
            count += n;
            afterRead();
        }
        return n;
    }

    @Override
    public boolean isFinished() {
        return in.isFinished();
    }

    @Override
    public boolean isReady() {
        return in.isReady();
    }

    @Override
    public void setReadListener(ReadListener listener) {
        in.setReadListener(listener);
    }
}
