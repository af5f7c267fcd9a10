package io.polycache.web;

import io.polycache.config.Version;
import io.polycache.store.DiskFull;
import io.polycache.store.StorageDirectory;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Liveness for load balancers and deploy scripts: healthy while storage takes writes; and the version. */
@jakarta.ws.rs.Path("health")
@Singleton
public final class HealthResource {
    private final StorageDirectory files;

    @Inject
    public HealthResource(StorageDirectory files) {
        this.files = files;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response health() {
        try {
            Path probe = files.newTempFile(".health");
            Files.delete(probe);
            Map<String, String> health = new LinkedHashMap<>();
            if (DiskFull.isFull()) {
                long free = Files.getFileStore(files.layout().root()).getUsableSpace();
                // Reads go on; writes fail with 507 until space is freed. Still 200, so a balancer
                // does not take away the reads too.
                health.put("status", "degraded");
                health.put("reason", "storage directory " + files.layout().root() + " is full (" + free
                        + " bytes free): writes fail with 507 until space is freed");
            } else {
                health.put("status", "healthy");
            }
            health.put("version", Version.current());
            return Response.ok(health).build();
        } catch (IOException | RuntimeException e) {
            Map<String, String> unhealthy = new LinkedHashMap<>();
            unhealthy.put("status", "unhealthy");
            unhealthy.put("version", Version.current());
            unhealthy.put("reason", "storage directory " + files.layout().root() + " is not writable: " + e.getMessage());
            return Response.status(503).entity(unhealthy).build();
        }
    }
}
