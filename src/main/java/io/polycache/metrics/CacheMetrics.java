package io.polycache.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.tomcat.TomcatMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.polycache.store.EntryKind;
import io.polycache.store.SpaceLedger;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The cache's instruments, named for what they count. Everything that records a figure goes
 * through here, so the metric names live in one file.
 */
public final class CacheMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private static final String HITS = "polycache_cache_hits";
    private static final String MISSES = "polycache_cache_misses";

    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

    public CacheMetrics(SpaceLedger ledger) {
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new TomcatMetrics(null, List.of()).bindTo(registry);

        Gauge.builder("polycache_storage_used_bytes", ledger, SpaceLedger::used)
                .description("Bytes of stored entries").register(registry);
        Gauge.builder("polycache_storage_reserved_bytes", ledger, l -> l.occupied() - l.used())
                .description("Bytes reserved by writes in flight").register(registry);
        Gauge.builder("polycache_storage_limit_bytes", ledger, l -> limit(l.softLimit()))
                .description("Size limit that eviction keeps to (-1: none)").register(registry);
        Gauge.builder("polycache_storage_hard_limit_bytes", ledger, l -> limit(l.hardLimit()))
                .description("Size past which writes fail with 507 (-1: none)").register(registry);
        for (EntryKind kind : EntryKind.values()) {
            String name = kind.name().toLowerCase(Locale.ROOT);
            Gauge.builder("polycache_storage_entries", ledger, l -> l.countAndBytes(kind)[0])
                    .tag("kind", name).description("Stored entries").register(registry);
        }
        registry.more().counter("polycache_evictions", List.of(), ledger, SpaceLedger::evictions);
        registry.more().counter("polycache_evicted_bytes", List.of(), ledger, SpaceLedger::evictedBytes);
    }

    private static double limit(long limit) {
        return limit == SpaceLedger.UNBOUNDED ? -1 : limit;
    }

    /** One answered request. */
    public void request(String protocol, String method, int status, long bytesIn, long bytesOut) {
        Counter.builder("polycache_requests").description("Requests answered")
                .tags("protocol", protocol, "method", method, "status", String.valueOf(status))
                .register(registry).increment();
        if (bytesIn > 0) {
            Counter.builder("polycache_received_bytes").description("Request body bytes received")
                    .tag("protocol", protocol).register(registry).increment(bytesIn);
        }
        if (bytesOut > 0) {
            Counter.builder("polycache_sent_bytes").description("Response body bytes sent")
                    .tag("protocol", protocol).register(registry).increment(bytesOut);
        }
    }

    public void hit(String protocol) {
        Counter.builder(HITS).tag("protocol", protocol).register(registry).increment();
    }

    public void miss(String protocol) {
        Counter.builder(MISSES).tag("protocol", protocol).register(registry).increment();
    }

    public void verificationFailure(String protocol) {
        Counter.builder("polycache_verification_failures").description("Uploads refused as invalid")
                .tag("protocol", protocol).register(registry).increment();
    }

    /** One finished install; {@code outcome} is ok, failed or timeout. */
    public void install(String manager, String outcome, Duration duration) {
        Timer.builder("polycache_installs").description("Dependency installs")
                .tags("manager", manager, "outcome", outcome).publishPercentileHistogram()
                .register(registry).record(duration);
    }

    /** One bundle ZIP built from its index. */
    public void bundleBuild(Duration duration, long bytes) {
        Timer.builder("polycache_bundle_builds").description("Bundle ZIPs assembled")
                .publishPercentileHistogram().register(registry).record(duration);
        DistributionSummary.builder("polycache_bundle_build_bytes").baseUnit("bytes")
                .register(registry).record(bytes);
    }

    /** Hits / (hits + misses) since start, for one protocol or all (null); NaN before any. */
    public double hitRatio(String protocol) {
        long h = hits(protocol);
        long m = misses(protocol);
        return h + m == 0 ? Double.NaN : (double) h / (h + m);
    }

    public long hits(String protocol) {
        return count(HITS, protocol);
    }

    public long misses(String protocol) {
        return count(MISSES, protocol);
    }

    /** A counter's total, for one protocol or all (null), read from the registry itself. */
    private long count(String name, String protocol) {
        var search = registry.find(name);
        if (protocol != null) {
            search = search.tag("protocol", protocol);
        }
        return (long) search.counters().stream().mapToDouble(Counter::count).sum();
    }

    /** Writes the Prometheus text exposition. */
    public void scrape(OutputStream out) throws IOException {
        registry.scrape(out);
    }

    public void close() {
        gcMetrics.close();
        registry.close();
    }
}
