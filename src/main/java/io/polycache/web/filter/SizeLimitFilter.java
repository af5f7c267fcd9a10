package io.polycache.web.filter;

import io.polycache.config.Settings;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Bounds request bodies: artifact uploads by {@code polycache.maxArtifactSize}, everything
 * else by {@code polycache.maxRequestSize}. A declared {@code Content-Length} over the limit is
 * refused with 413 before the body is read (so a client waiting on {@code Expect: 100-continue}
 * never sends it); a chunked body is counted as it is read and fails with
 * {@link RequestTooLargeException} at the first byte past the limit.
 */
public final class SizeLimitFilter extends HttpFilter {
    static final String ARTIFACTS = "/v1/artifacts/";

    private long maxArtifactSize;
    private long maxRequestSize;

    @Override
    public void init(FilterConfig config) throws ServletException {
        Settings settings = (Settings) config.getServletContext().getAttribute(Settings.class.getName());
        if (settings == null) {
            throw new ServletException("Polycache settings are missing: the start-up listener did not run");
        }
        maxArtifactSize = settings.maxArtifactSize();
        maxRequestSize = settings.maxRequestSize();
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        long limit = limitFor(request);
        long declared = request.getContentLengthLong();
        if (declared > limit) {
            response.setStatus(413);
            response.setHeader("Connection", "close");
            response.setContentType("application/json");
            byte[] body = ("{\"error\":\"Request body of " + declared
                    + " bytes exceeds the maximum size of " + limit + " bytes\"}")
                    .getBytes(StandardCharsets.UTF_8);
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
            return;
        }
        chain.doFilter(new LimitedRequest(request, limit), response);
    }

    private long limitFor(HttpServletRequest request) {
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        return path.startsWith(ARTIFACTS) ? maxArtifactSize : maxRequestSize;
    }

    private static final class LimitedRequest extends HttpServletRequestWrapper {
        private final long limit;
        private LimitedInputStream stream;

        LimitedRequest(HttpServletRequest request, long limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new LimitedInputStream(super.getInputStream(), limit);
            }
            return stream;
        }
    }

    private static final class LimitedInputStream extends ServletInputStream {
        private final ServletInputStream in;
        private final long limit;
        private long count;

        LimitedInputStream(ServletInputStream in, long limit) {
            this.in = in;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        private void counted(int n) {
            count += n;
            if (count > limit) {
                throw new RequestTooLargeException(limit);
            }
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
}
