package io.polycache.web.buildcache;

import io.polycache.store.EntryStore;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Uploads (and ccache's deletes) of the build tools' caches. Reads are served by
 * {@link BuildCacheReadFilter}. The path is parsed by the same rule as there, from the request
 * path rather than a decoded template variable.
 */
@Path("{cache: bazel|ccache|gradle|maven}/{rest: .+}")
@Singleton
public final class BuildCacheResource {
    private final EntryStore store;

    @Inject
    public BuildCacheResource(EntryStore store) {
        this.store = store;
    }

    @PUT
    public Response put(@Context HttpServletRequest request, InputStream body) throws IOException {
        Target target = target(request);
        long length = request.getContentLengthLong();
        if (length < 0 && target.cache().lengthRequired()) {
            throw new Refusal(411, "Content-Length is required");
        }
        EntryStore.Stored stored = store.put(target.namespace(), target.key(), body, length, target.verifier(), Map.of());
        // 201 when this upload was stored; 200 when a write-once key already held the same bytes.
        return Response.status(stored.created() ? 201 : 200).build();
    }

    @DELETE
    public Response delete(@Context HttpServletRequest request) throws IOException {
        Target target = target(request);
        if (!target.cache().deletes()) {
            throw new Refusal(405, "DELETE is not supported here");
        }
        boolean deleted = store.delete(target.namespace(), target.key());
        return Response.status(deleted ? 204 : 404).build();
    }

    private static Target target(HttpServletRequest request) {
        String path = io.polycache.web.filter.Exchanges.path(request);
        BuildCache cache = BuildCache.of(path).orElseThrow(() -> new IllegalStateException("not a build cache: " + path));
        return cache.target(path);
    }
}
