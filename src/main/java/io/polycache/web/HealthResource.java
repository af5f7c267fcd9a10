package io.polycache.web;

import io.polycache.config.Version;
import io.polycache.store.DiskFull;
import io.polycache.store.EntryStore;
import io.polycache.store.StorageDirectory;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Liveness for load balancers and deploy scripts, with the version. {@code healthy} while
 * storage takes writes; {@code degraded} (still 200) when the disk is full or a node over a
 * shared bucket cannot reach it: reads from the disk go on, and a balancer must not drain every
 * node at once when the bucket is down; 503 {@code unhealthy} when the storage directory cannot
 * be written at all.
 */
@jakarta.ws.rs.Path("health")
@Singleton
public final class HealthResource {
    private final StorageDirectory files;
    private final EntryStore entries;

    @Inject
    public HealthResource(StorageDirectory files, EntryStore entries) {
        this.files = files;
        this.entries = entries;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response health() {
        Map<String, String> health = new LinkedHashMap<>();
        try {
            Path probe = files.newTempFile(".health");
            Files.delete(probe);
        } catch (IOException | RuntimeException e) {
            health.put("status", "unhealthy");
            health.put("version", Version.current());
            health.put("reason", "storage directory " + files.layout().root() + " is not writable: " + e.getMessage());
            return Response.status(503).entity(health).build();
        }
        Optional<String> degraded = degradedBecause();
        health.put("status", degraded.isPresent() ? "degraded" : "healthy");
        health.put("version", Version.current());
        degraded.ifPresent(reason -> health.put("reason", reason));
        return Response.ok(health).build();
    }

    private Optional<String> degradedBecause() {
        if (DiskFull.isFull()) {
            long free;
            try {
                free = Files.getFileStore(files.layout().root()).getUsableSpace();
            } catch (IOException e) {
                free = -1;
            }
            return Optional.of("storage directory " + files.layout().root() + " is full (" + free
                    + " bytes free): writes fail with 507 until space is freed");
        }
        if (entries instanceof TieredEntryStore shared) {
            return shared.remote().checkHealth();
        }
        return Optional.empty();
    }
}
