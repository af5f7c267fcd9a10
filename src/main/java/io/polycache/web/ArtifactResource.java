package io.polycache.web;

import io.polycache.artifact.ArtifactService;
import io.polycache.artifact.ArtifactService.ArtifactInfo;
import io.polycache.store.CacheKey;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** Polykit uploads. Reads (GET, HEAD) are served by {@link ArtifactReadFilter}, the hot path. */
@Path("v1/artifacts/{key}")
@Singleton
public final class ArtifactResource {
    private final ArtifactService artifacts;

    @Inject
    public ArtifactResource(ArtifactService artifacts) {
        this.artifacts = artifacts;
    }

    @PUT
    public Response put(@PathParam("key") String key, @Context HttpServletRequest request, InputStream body)
            throws IOException {
        CacheKey cacheKey = CacheKey.parse(key);
        // A long: HttpHeaders.getLength() is an int and fails on bodies past 2 GiB.
        ArtifactInfo info = artifacts.put(cacheKey, body, request.getContentLengthLong());
        return Response.status(201)
                .entity(Map.of("cache_key", cacheKey.value(), "hash", info.hash(), "size", info.size()))
                .type("application/json")
                .build();
    }
}
