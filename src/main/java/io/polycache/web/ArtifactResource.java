package io.polycache.web;

import io.polycache.artifact.ArtifactService;
import io.polycache.artifact.ArtifactService.ArtifactInfo;
import io.polycache.artifact.ArtifactService.OpenArtifact;
import io.polycache.store.CacheKey;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.Map;
import java.util.Optional;

/** The Polykit remote-cache protocol. */
@Path("v1/artifacts/{key}")
public final class ArtifactResource {
    static final String ZSTD = "application/zstd";
    static final String HASH_HEADER = "X-Artifact-Hash";

    private final ArtifactService artifacts;

    @Inject
    public ArtifactResource(ArtifactService artifacts) {
        this.artifacts = artifacts;
    }

    @PUT
    public Response put(@PathParam("key") String key, InputStream body) throws IOException {
        CacheKey cacheKey = CacheKey.parse(key);
        ArtifactInfo info = artifacts.put(cacheKey, body);
        return Response.status(201)
                .entity(Map.of("cache_key", cacheKey.value(), "hash", info.hash(), "size", info.size()))
                .type("application/json")
                .build();
    }

    @GET
    public Response get(@PathParam("key") String key) throws IOException {
        Optional<OpenArtifact> found = artifacts.open(CacheKey.parse(key));
        if (found.isEmpty()) {
            return notFound();
        }
        OpenArtifact artifact = found.get();
        StreamingOutput body = out -> {
            try (artifact) {
                Channels.newInputStream(artifact.stored().data()).transferTo(out);
            }
        };
        return found(artifact.info()).entity(body).build();
    }

    @HEAD
    public Response head(@PathParam("key") String key) throws IOException {
        return artifacts.head(CacheKey.parse(key)).map(info -> found(info).build()).orElseGet(ArtifactResource::notFound);
    }

    private static Response.ResponseBuilder found(ArtifactInfo info) {
        return Response.ok()
                .type(ZSTD)
                .header("Content-Length", info.size())
                .header(HASH_HEADER, info.hash());
    }

    private static Response notFound() {
        return Errors.of(404, "Artifact not found");
    }
}
