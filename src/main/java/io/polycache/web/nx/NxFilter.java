package io.polycache.web.nx;

import io.polycache.store.EntryKey;
import io.polycache.store.EntryMeta;
import io.polycache.store.EntryStore;
import io.polycache.store.EntryVerifier;
import io.polycache.store.Namespace;
import io.polycache.store.WritePolicy;
import io.polycache.web.EntryReads;
import io.polycache.web.EntryWrites;
import io.polycache.web.Services;
import io.polycache.web.filter.Exchanges;
import io.polycache.web.filter.ServiceFilter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * Nx's self-hosted remote cache under {@code /nx}
 * ({@code NX_SELF_HOSTED_REMOTE_CACHE_SERVER=<base>/nx}): {@code GET|PUT /v1/cache/{hash}}, the
 * bodies opaque. Two things about the Nx CLI shape every answer here: a PUT succeeds only with
 * exactly 200 (201, 202 or 204 make it retry six times and fail the task), and a GET answered
 * with anything but 200 or 404 stops the user's whole {@code nx} run, so a storage fault on a
 * read is logged, counted as a read error and answered as a miss.
 */
public final class NxFilter extends ServiceFilter {
    static final String PREFIX = "/nx";
    static final String CACHE = "/v1/cache/";
    static final Namespace NAMESPACE = new Namespace("nx", WritePolicy.WRITE_ONCE_REFUSE);

    private static final EntryReads.Answer ANSWER = new EntryReads.Answer() {
        @Override
        public void found(HttpServletResponse response, EntryMeta meta) {
            response.setContentType("application/octet-stream");
        }

        @Override
        public void missing(HttpServletResponse response) throws IOException {
            NxErrors.write(response, 404, "Not in the cache");
        }

        @Override
        public boolean faultIsMiss() {
            return true;
        }
    };

    private EntryStore store;

    @Override
    protected void init(Services services) {
        store = services.entries();
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException {
        // A trailing slash in the configured server URL makes Nx ask for /nx//v1/cache/...
        String rest = Exchanges.path(request).substring(PREFIX.length()).replaceFirst("^/+", "/");
        if (!rest.startsWith(CACHE)) {
            NxErrors.write(response, 404, "Not an Nx cache path: " + rest
                    + ". Set NX_SELF_HOSTED_REMOTE_CACHE_SERVER to <polycache base URL>" + PREFIX + ".");
            return;
        }
        String method = request.getMethod();
        if (!method.equals("GET") && !method.equals("HEAD") && !method.equals("PUT")) {
            response.setHeader("Allow", "GET, HEAD, PUT");
            NxErrors.write(response, 405, method + " is not allowed here; Nx uses GET and PUT");
            return;
        }
        String hash = rest.substring(CACHE.length());
        Optional<EntryKey> key = NxHash.parse(hash);
        if (key.isEmpty()) {
            NxErrors.write(response, 400, "Not an Nx task hash (a decimal unsigned 64-bit number): " + hash);
            return;
        }
        if (method.equals("PUT")) {
            if (EntryWrites.put(request, response, store, NAMESPACE, key.get(), EntryVerifier.NONE, Map.of()).isPresent()) {
                response.setStatus(200); // exactly 200: Nx fails the task on any other 2xx
                response.setContentLength(0);
            }
            return;
        }
        EntryReads.serve(request, response, store, NAMESPACE, key.get(), method.equals("HEAD"), ANSWER);
    }
}
