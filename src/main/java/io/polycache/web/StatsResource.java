package io.polycache.web;

import io.polycache.bundle.BundleStats;
import io.polycache.deps.DependencyCache;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the dependency cache holds, and how much deduplication saves. */
@Path("v1/stats")
public final class StatsResource {
    private final DependencyCache cache;

    @Inject
    public StatsResource(DependencyCache cache) {
        this.cache = cache;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> stats() throws IOException {
        BundleStats.Snapshot s = cache.stats();
        DependencyCache.InstallCounts installs = cache.installCounts();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("bundles", tally(s.bundles()));
        body.put("blobs", tally(s.blobs()));
        body.put("indexes", tally(s.indexes()));
        body.put("installed_bytes", s.installedBytes());
        body.put("deduplication_ratio", Math.round(s.deduplicationRatio() * 1000) / 1000.0);
        body.put("installs_since_start", Map.of("run", installs.run(), "failed", installs.failed()));
        return body;
    }

    private static Map<String, Long> tally(BundleStats.Tally tally) {
        Map<String, Long> map = new LinkedHashMap<>();
        map.put("count", tally.count());
        map.put("bytes", tally.bytes());
        return map;
    }
}
