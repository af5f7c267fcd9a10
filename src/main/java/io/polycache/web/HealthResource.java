package io.polycache.web;

import io.polycache.store.EntryStore;
import io.polycache.store.FileStore;
import io.polycache.store.s3.TieredEntryStore;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Liveness for load balancers and deploy scripts: healthy while storage takes writes. A node
 * over a shared bucket that cannot reach it is {@code degraded}, still 200: its local tier goes
 * on serving hits, and a balancer must not drain every node at once when the bucket is down.
 */
@jakarta.ws.rs.Path("health")
@Singleton
public final class HealthResource {
    private final FileStore files;
    private final EntryStore entries;

    @Inject
    public HealthResource(FileStore files, EntryStore entries) {
        this.files = files;
        this.entries = entries;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response health() {
        try {
            Path probe = files.newTempFile(".health");
            Files.delete(probe);
        } catch (IOException | RuntimeException e) {
            return Response.status(503)
                    .entity(Map.of("status", "unhealthy",
                            "reason", "storage directory " + files.layout().root() + " is not writable: " + e.getMessage()))
                    .build();
        }
        if (entries instanceof TieredEntryStore shared) {
            Optional<String> failure = shared.remote().checkHealth();
            if (failure.isPresent()) {
                return Response.ok(Map.of("status", "degraded", "reason", failure.get())).build();
            }
        }
        return Response.ok(Map.of("status", "healthy")).build();
    }
}
