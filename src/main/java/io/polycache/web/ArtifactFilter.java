package io.polycache.web;

import io.polycache.artifact.ArtifactService;
import io.polycache.artifact.ArtifactService.ArtifactInfo;
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
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The Polykit protocol: artifact GET and HEAD over the common read path ({@link EntryReads}),
 * PUT over the common upload path ({@link EntryWrites}), outside JAX-RS (a verified 4 KiB upload
 * spent 16% of its CPU in Jersey).
 */
public final class ArtifactFilter extends ServiceFilter {
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

    private static final String ALLOWED = "GET, HEAD, PUT";

    private EntryStore store;
    private ArtifactService artifacts;

    @Override
    protected void init(Services services) {
        store = services.entries();
        artifacts = services.artifacts();
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String method = request.getMethod();
        boolean head = method.equals("HEAD");
        boolean put = method.equals("PUT");
        if (!head && !put && !method.equals("GET")) {
            response.setHeader("Allow", ALLOWED);
            if (method.equals("OPTIONS")) {
                response.setStatus(204);
            } else {
                Exchanges.writeError(response, 405, method + " is not allowed on an artifact; " + ALLOWED + " are");
            }
            return;
        }
        CacheKey key;
        try {
            key = CacheKey.parse(keyText(request));
        } catch (InvalidKeyException e) {
            Exchanges.writeError(response, 400, e.getMessage());
            return;
        }
        if (put) {
            put(request, response, key);
        } else {
            EntryReads.serve(request, response, store, ArtifactService.NAMESPACE, ArtifactService.entryKey(key), head, POLYKIT);
        }
    }

    /** 201 with {@code {"cache_key", "hash", "size"}}; 409 when the key is stored, 422 when the body is no artifact for it. */
    private void put(HttpServletRequest request, HttpServletResponse response, CacheKey key) throws IOException {
        Optional<ArtifactInfo> stored = EntryWrites.put(request, response, "artifact " + key.value(),
                (body, length) -> artifacts.put(key, body, length));
        if (stored.isEmpty()) {
            return;
        }
        // key and hash are lower-case hex, size a number: nothing to escape
        byte[] json = ("{\"cache_key\":\"" + key.value() + "\",\"hash\":\"" + stored.get().hash()
                + "\",\"size\":" + stored.get().size() + "}").getBytes(StandardCharsets.US_ASCII);
        response.setStatus(201);
        response.setContentType("application/json");
        response.setContentLength(json.length);
        response.getOutputStream().write(json);
    }

    /** What follows {@code /v1/artifacts/} (the filter is mapped there). */
    private static String keyText(HttpServletRequest request) {
        String path = Exchanges.path(request);
        return path.substring(Math.min(path.length(), PREFIX.length()));
    }
}
