package io.polycache.web;

import io.polycache.bundle.BundleStore.OpenBundle;
import io.polycache.deps.DependencyCache;
import io.polycache.store.Sha256;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.Optional;

/**
 * Bundles as ZIP files. A bundle's bytes are fixed by its index, which is fixed by its hash, so
 * the hash is a strong ETag.
 */
@Path("download/{name}")
@Singleton
public final class DownloadResource {
    static final String ZIP = "application/zip";

    private final DependencyCache cache;

    @Inject
    public DownloadResource(DependencyCache cache) {
        this.cache = cache;
    }

    @GET
    public Response get(@PathParam("name") String name, @Context Request request) throws IOException {
        Sha256 hash = parseOrNull(name);
        Optional<OpenBundle> found = hash == null ? Optional.empty() : cache.open(hash);
        if (found.isEmpty()) {
            return notFound();
        }
        OpenBundle bundle = found.get();
        Response.ResponseBuilder notModified = request.evaluatePreconditions(etag(hash));
        if (notModified != null) {
            bundle.close();
            return notModified.tag(etag(hash)).build();
        }
        StreamingOutput body = out -> {
            try (bundle) {
                Channels.newInputStream(bundle.data()).transferTo(out);
            }
        };
        return found(bundle).entity(body).build();
    }

    @HEAD
    public Response head(@PathParam("name") String name) throws IOException {
        Sha256 hash = parseOrNull(name);
        Optional<OpenBundle> found = hash == null ? Optional.empty() : cache.open(hash);
        if (found.isEmpty()) {
            return notFound();
        }
        try (OpenBundle bundle = found.get()) {
            return found(bundle).build();
        }
    }

    /** The hash of {@code <64 hex>.zip}; anything else names no bundle. */
    private static Sha256 parseOrNull(String name) {
        return name.endsWith(".zip") ? Sha256.parseOrNull(name.substring(0, name.length() - 4)) : null;
    }

    private static EntityTag etag(Sha256 hash) {
        return new EntityTag(hash.value());
    }

    private static Response.ResponseBuilder found(OpenBundle bundle) {
        return Response.ok()
                .type(ZIP)
                .header("Content-Length", bundle.size())
                .tag(etag(bundle.hash()))
                .header("Content-Disposition", "attachment; filename=" + bundle.hash().value() + ".zip");
    }

    private static Response notFound() {
        return Errors.of(404, "Bundle not found");
    }
}
