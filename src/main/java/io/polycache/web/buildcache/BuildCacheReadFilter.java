package io.polycache.web.buildcache;

import io.polycache.metrics.ReadOutcome;
import io.polycache.store.EntryStore;
import io.polycache.store.InvalidKeyException;
import io.polycache.web.EntryReads;
import io.polycache.web.Services;
import io.polycache.web.filter.Exchanges;
import io.polycache.web.filter.ServiceFilter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;

/**
 * GET and HEAD of the build tools' caches (Bazel, ccache, Gradle, Maven), over the common read
 * path ({@link EntryReads}); uploads and deletes go on to {@link BuildCacheResource}.
 */
public final class BuildCacheReadFilter extends ServiceFilter {
    private EntryStore store;

    @Override
    protected void init(Services services) {
        store = services.entries();
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String method = request.getMethod();
        boolean head = method.equals("HEAD");
        String path = Exchanges.path(request);
        Optional<BuildCache> cache = BuildCache.of(path);
        if ((!head && !method.equals("GET")) || cache.isEmpty()) {
            chain.doFilter(request, response);
            return;
        }
        Target target;
        try {
            target = cache.get().target(path);
        } catch (InvalidKeyException e) {
            cache.get().protocol().writeError(response, 400, e.getMessage());
            return;
        }
        if (target.alwaysPresent()) {
            // Bazel's empty blob: referenced by every action with no output on a stream, never uploaded.
            request.setAttribute(EntryReads.OUTCOME_ATTRIBUTE, ReadOutcome.HIT);
            response.setStatus(200);
            response.setContentLength(0);
            response.setContentType(cache.get().contentType());
            return;
        }
        EntryReads.serve(request, response, store, target.namespace(), target.key(), head, cache.get().answer());
    }
}
