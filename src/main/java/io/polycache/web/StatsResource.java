package io.polycache.web;

import io.polycache.bundle.BundleStats;
import io.polycache.config.Version;
import io.polycache.deps.DependencyCache;
import io.polycache.metrics.CacheMetrics;
import io.polycache.store.EntryKind;
import io.polycache.store.StorageDirectory;
import io.polycache.store.SpaceLedger;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the cache holds and how well it serves, as JSON for scripts; the status page at
 * {@code /} shows exactly this map, so the two cannot disagree.
 */
@Path("v1/stats")
@Singleton
public final class StatsResource {
    private final SpaceLedger ledger;
    private final CacheMetrics metrics;
    private final DependencyCache deps;
    private final StorageDirectory files;

    @Inject
    public StatsResource(SpaceLedger ledger, CacheMetrics metrics, DependencyCache deps, StorageDirectory files) {
        this.ledger = ledger;
        this.metrics = metrics;
        this.deps = deps;
        this.files = files;
    }

    /** The names the entry kinds have in the stats, in order. */
    static List<String> kindNames() {
        List<String> names = new ArrayList<>();
        for (EntryKind kind : EntryKind.values()) {
            names.add(plural(kind));
        }
        return names;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> stats() throws IOException {
        Map<String, Object> stats = new LinkedHashMap<>();
        for (EntryKind kind : EntryKind.values()) {
            stats.put(plural(kind), figures(ledger.countAndBytes(kind)));
        }
        stats.put("artifacts", figures(ledger.countAndBytes(CacheMetrics.POLYKIT))); // Polykit's, as before
        stats.put("used_bytes", ledger.used());
        stats.put("limit_bytes", limit(ledger.softLimit()));
        stats.put("hard_limit_bytes", limit(ledger.hardLimit()));
        stats.put("evictions", ledger.evictions());
        stats.put("evicted_bytes", ledger.evictedBytes());
        // True for the first seconds after a start, while the ledger's snapshot loads: the
        // figures above are partial, and writes wait for it.
        stats.put("ledger_loading", ledger.loading());
        // A node over S3: the copies of bucket entries on its disk (the figures above count what
        // it keeps besides them); null on a node storing on its own disk.
        stats.put("local_tier", metrics.localTier().map(StatsResource::localTier).orElse(null));
        stats.put("hits", metrics.hits(null));
        stats.put("misses", metrics.misses(null));
        stats.put("hit_ratio", ratio(metrics.hitRatio(null)));
        // Per protocol: entries and bytes stored (protocols that store entries), hits and misses.
        Map<String, Map<String, Object>> protocols = new LinkedHashMap<>();
        for (String protocol : metrics.protocols()) {
            protocols.put(protocol, figures(ledger.countAndBytes(protocol)));
        }
        metrics.hitsAndMissesByProtocol().forEach((protocol, hitsAndMisses) -> {
            Map<String, Object> figures = protocols.computeIfAbsent(protocol, p -> new LinkedHashMap<>());
            figures.put("hits", hitsAndMisses[0]);
            figures.put("misses", hitsAndMisses[1]);
            long total = hitsAndMisses[0] + hitsAndMisses[1];
            figures.put("hit_ratio", total == 0 ? null : ratio((double) hitsAndMisses[0] / total));
            protocols.put(protocol, figures);
        });
        for (Map<String, Object> figures : protocols.values()) { // a protocol not yet asked anything
            figures.putIfAbsent("hits", 0L);
            figures.putIfAbsent("misses", 0L);
            figures.putIfAbsent("hit_ratio", null);
        }
        stats.put("protocols", protocols);
        BundleStats.Snapshot bundles = deps.stats();
        stats.put("installed_bytes", bundles.installedBytes());
        stats.put("deduplication_ratio", Math.round(bundles.deduplicationRatio() * 1000) / 1000.0);
        DependencyCache.InstallCounts installs = deps.installCounts();
        stats.put("installs_since_start", Map.of("run", installs.run(), "failed", installs.failed()));
        stats.put("installs_in_flight", deps.installsInFlight());
        List<Map<String, Object>> failures = new ArrayList<>();
        for (DependencyCache.Failure failure : deps.recentFailures()) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("at", failure.at().toString());
            f.put("manager", failure.manager());
            f.put("reason", failure.reason());
            failures.add(f);
        }
        stats.put("recent_install_failures", failures);
        stats.put("toolchains_provisioned_since_start", deps.toolchainsProvisioned());
        stats.put("toolchains", toolchains());
        stats.put("version", Version.current());
        stats.put("uptime_seconds", metrics.uptimeSeconds());
        return stats;
    }

    private static Map<String, Object> localTier(SpaceLedger local) {
        Map<String, Object> figures = figures(local.countAndBytes(EntryKind.ENTRY));
        figures.put("limit_bytes", limit(local.softLimit()));
        figures.put("evictions", local.evictions());
        figures.put("evicted_bytes", local.evictedBytes());
        return figures;
    }

    private static Map<String, Object> figures(long[] countAndBytes) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("count", countAndBytes[0]);
        figures.put("bytes", countAndBytes[1]);
        return figures;
    }

    /** The provisioned toolchains present, by directory name (node-20.11.1-linux-x64, npm-10.2.4). */
    private List<String> toolchains() throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<java.nio.file.Path> dirs = Files.newDirectoryStream(files.layout().toolchains())) {
            for (java.nio.file.Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (!name.startsWith(".") && Files.isDirectory(dir)) {
                    names.add(name);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        names.sort(null);
        return names;
    }

    private static Double ratio(double ratio) {
        return Double.isNaN(ratio) ? null : ratio;
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
