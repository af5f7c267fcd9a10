package io.polycache.web;

import io.polycache.artifact.ArtifactService;
import io.polycache.store.CacheKey;
import io.polycache.store.EntryMeta;
import io.polycache.store.EntryStore;
import io.polycache.store.InvalidKeyException;
import io.polycache.web.filter.Exchanges;
import io.polycache.web.filter.ServiceFilter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Polykit artifact GET and HEAD, over the common read path ({@link EntryReads}). Uploads (PUT)
 * go on to the JAX-RS resource.
 */
public final class ArtifactReadFilter extends ServiceFilter {
    static final String PREFIX = "/v1/artifacts/";
    static final String ZSTD = "application/zstd";
    static final String HASH_HEADER = "X-Artifact-Hash";
    static final String NOT_FOUND = "Artifact not found";

    private static final EntryReads.Answer POLYKIT = new EntryReads.Answer() {
        @Override
        public void found(HttpServletResponse response, EntryMeta meta) {
            response.setContentType(ZSTD);
            response.setHeader(HASH_HEADER, meta.sha256());
        }

        @Override
        public void missing(HttpServletResponse response) throws IOException {
            Exchanges.writeError(response, 404, NOT_FOUND);
        }
    };

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
        if (!head && !method.equals("GET")) {
            chain.doFilter(request, response);
            return;
        }
        CacheKey key;
        try {
            key = CacheKey.parse(keyText(request));
        } catch (InvalidKeyException e) {
            Exchanges.writeError(response, 400, e.getMessage());
            return;
        }
        EntryReads.serve(request, response, store, ArtifactService.NAMESPACE, ArtifactService.entryKey(key), head, POLYKIT);
    }

    /** What follows {@code /v1/artifacts/} (the filter is mapped there). */
    private static String keyText(HttpServletRequest request) {
        String path = Exchanges.path(request);
        return path.substring(Math.min(path.length(), PREFIX.length()));
    }
}
