package io.polycache.web.filter;

import io.polycache.config.Settings;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import io.polycache.web.Protocol;
import io.polycache.web.Services;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Bounds request bodies: artifact uploads by {@code polycache.maxArtifactSize}, everything
 * else by {@code polycache.maxRequestSize}. Reading a body whose {@code Content-Length} is over
 * the limit fails at once with {@link RequestTooLargeException}, before a byte is read (so a
 * client waiting on {@code Expect: 100-continue} never sends it); a chunked body is counted as
 * it is read and fails at the first byte past the limit. Failing on read rather than in the
 * filter lets the resource answer what it checks first (a malformed key is 400 even when the
 * body is too large).
 */
public final class SizeLimitFilter extends ServiceFilter {
    private long maxArtifactSize;
    private long maxRequestSize;

    @Override
    protected void init(Services services) {
        Settings settings = services.settings();
        maxArtifactSize = settings.maxArtifactSize();
        maxRequestSize = settings.maxRequestSize();
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        long limit = limitFor(request);
        boolean declaredTooLarge = request.getContentLengthLong() > limit;
        try {
            chain.doFilter(new LimitedRequest(request, limit, declaredTooLarge), response);
        } catch (RequestTooLargeException | ServletException e) {
            // Normally a mapper answers 413. A body that the container or Jersey reads before
            // any resource does (a form-encoded PUT, say) fails outside the mappers' reach.
            var tooLarge = RequestTooLargeException.findIn(e);
            if (tooLarge.isEmpty() || response.isCommitted()) {
                throw e;
            }
            response.resetBuffer();
            response.setHeader("Connection", "close");
            Protocol.of(Exchanges.path(request)).writeError(response, 413, tooLarge.get().getMessage());
        }
    }

    private long limitFor(HttpServletRequest request) {
        return Protocol.of(Exchanges.path(request)).storesEntries() ? maxArtifactSize : maxRequestSize;
    }

    private static final class LimitedRequest extends HttpServletRequestWrapper {
        private final long limit;
        private LimitedInputStream stream;

        private final boolean declaredTooLarge;

        LimitedRequest(HttpServletRequest request, long limit, boolean declaredTooLarge) {
            super(request);
            this.limit = limit;
            this.declaredTooLarge = declaredTooLarge;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new LimitedInputStream(super.getInputStream(), limit, declaredTooLarge);
            }
            return stream;
        }
    }

    private static final class LimitedInputStream extends CountingInputStream {
        private final long limit;
        private final boolean declaredTooLarge;

        LimitedInputStream(ServletInputStream in, long limit, boolean declaredTooLarge) {
            super(in);
            this.limit = limit;
            this.declaredTooLarge = declaredTooLarge;
        }

        /**
         * Refuses before touching the connection: the container sends "100 Continue" only when
         * the body is first read, so a client that waits for it never sends the body.
         */
        @Override
        protected void beforeRead() {
            if (declaredTooLarge) {
                throw new RequestTooLargeException(limit);
            }
        }

        @Override
        protected void afterRead() {
            if (count() > limit) {
                throw new RequestTooLargeException(limit);
            }
        }
    }
}
