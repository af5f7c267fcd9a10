package io.polycache.web;

import io.polycache.bundle.BundleStats;
import io.polycache.deps.DependencyCache;
import io.polycache.metrics.CacheMetrics;
import io.polycache.store.EntryKind;
import io.polycache.store.SpaceLedger;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** What the cache holds and how well it serves, as JSON for people and scripts. */
@Path("v1/stats")
@Singleton
public final class StatsResource {
    private final SpaceLedger ledger;
    private final CacheMetrics metrics;
    private final DependencyCache deps;

    @Inject
    public StatsResource(SpaceLedger ledger, CacheMetrics metrics, DependencyCache deps) {
        this.ledger = ledger;
        this.metrics = metrics;
        this.deps = deps;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> stats() throws IOException {
        Map<String, Object> stats = new LinkedHashMap<>();
        for (EntryKind kind : EntryKind.values()) {
            stats.put(plural(kind), figures(ledger.countAndBytes(kind)));
        }
        stats.put("artifacts", figures(ledger.countAndBytes(CacheMetrics.POLYKIT))); // Polykit's, as before
        Map<String, Object> protocols = new LinkedHashMap<>();
        for (String protocol : metrics.protocols()) {
            protocols.put(protocol, figures(ledger.countAndBytes(protocol)));
        }
        stats.put("protocols", protocols);
        stats.put("used_bytes", ledger.used());
        stats.put("limit_bytes", limit(ledger.softLimit()));
        stats.put("hard_limit_bytes", limit(ledger.hardLimit()));
        stats.put("evictions", ledger.evictions());
        stats.put("evicted_bytes", ledger.evictedBytes());
        stats.put("hits", metrics.hits(null));
        stats.put("misses", metrics.misses(null));
        double ratio = metrics.hitRatio(null);
        stats.put("hit_ratio", Double.isNaN(ratio) ? null : ratio);
        BundleStats.Snapshot bundles = deps.stats();
        stats.put("installed_bytes", bundles.installedBytes());
        stats.put("deduplication_ratio", Math.round(bundles.deduplicationRatio() * 1000) / 1000.0);
        DependencyCache.InstallCounts installs = deps.installCounts();
        stats.put("installs_since_start", Map.of("run", installs.run(), "failed", installs.failed()));
        stats.put("toolchains_provisioned_since_start", deps.toolchainsProvisioned());
        return stats;
    }

    private static Map<String, Object> figures(long[] countAndBytes) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("count", countAndBytes[0]);
        figures.put("bytes", countAndBytes[1]);
        return figures;
    }

    private static String plural(EntryKind kind) {
        return switch (kind) {
            case ENTRY -> "entries";
            case INDEX -> "indexes";
            default -> kind.name().toLowerCase(Locale.ROOT) + "s";
        };
    }

    private static Long limit(long limit) {
        return limit == SpaceLedger.UNBOUNDED ? null : limit;
    }
}
