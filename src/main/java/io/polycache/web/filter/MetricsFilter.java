package io.polycache.web.filter;

import io.polycache.metrics.CacheMetrics;
import io.polycache.metrics.ReadOutcome;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import io.polycache.web.EntryReads;
import io.polycache.web.Protocol;
import io.polycache.web.Services;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;

/**
 * Counts every request by protocol, method and status, with the bytes it moved; the outermost
 * filter, so refusals count too. Polykit hits, misses and refused uploads follow from the status
 * alone (CacheMetrics.request), which keeps the services free of bookkeeping.
 */
public final class MetricsFilter extends ServiceFilter {

    private CacheMetrics metrics;

    @Override
    protected void init(Services services) {
        metrics = services.metrics();
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        CountingRequest countedRequest = new CountingRequest(request);
        CountingResponse countedResponse = new CountingResponse(response);
        try {
            chain.doFilter(countedRequest, countedResponse);
        } finally {
            long sent = countedResponse.bytes();
            if (request.getAttribute(EntryReads.SENT_BYTES_ATTRIBUTE) instanceof Long sendfile) {
                sent += sendfile; // went out by sendfile, past every stream
            }
            ReadOutcome outcome = (ReadOutcome) request.getAttribute(EntryReads.OUTCOME_ATTRIBUTE);
            // A read that failed after its headers went out says 200 but was cut: count it as the 500 it is.
            // (A fault answered as a miss, for Nx, is counted as the 404 it was answered with.)
            int status = outcome == ReadOutcome.ERROR && response.getStatus() == 200 ? 500 : response.getStatus();
            metrics.request(Protocol.of(Exchanges.path(request)).metricName(), request.getMethod(), status, countedRequest.bytes(), sent,
                    outcome);
        }
    }

    private static final class CountingRequest extends HttpServletRequestWrapper {
        private CountingInputStream stream;

        CountingRequest(HttpServletRequest request) {
            super(request);
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new CountingInputStream(super.getInputStream());
            }
            return stream;
        }

        long bytes() {
            return stream == null ? 0 : stream.count();
        }
    }

    private static final class CountingResponse extends HttpServletResponseWrapper {
        private CountingOutput stream;

        CountingResponse(HttpServletResponse response) {
            super(response);
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            if (stream == null) {
                stream = new CountingOutput(super.getOutputStream());
            }
            return stream;
        }

        long bytes() {
            return stream == null ? 0 : stream.count;
        }
    }

    private static final class CountingOutput extends ServletOutputStream {
        private final ServletOutputStream out;
        long count;

        CountingOutput(ServletOutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }

        @Override
        public boolean isReady() {
            return out.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            out.setWriteListener(listener);
        }
    }
}
