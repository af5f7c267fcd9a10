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
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cache's instruments, named for what they count. Everything that records a figure goes
 * through here, so the metric names live in one file.
 */
public final class CacheMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private static final String HITS = "polycache_cache_hits";
    private static final String MISSES = "polycache_cache_misses";
    public static final String POLYKIT = "polykit";

    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final ConcurrentHashMap<RequestKind, RequestCounters> requestCounters = new ConcurrentHashMap<>();

    private final SpaceLedger ledger;
    private volatile SpaceLedger localTier;
    private final java.util.Set<String> protocols = new java.util.concurrent.CopyOnWriteArraySet<>();
    private final long startedNanos = System.nanoTime();
    /** Objects function meters read, kept reachable (Micrometer refers to them weakly). */
    private final List<Object> retained = new java.util.concurrent.CopyOnWriteArrayList<>();

    public CacheMetrics(SpaceLedger ledger) {
        this.ledger = ledger;
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

    /**
     * The background scrub's counters: {@code polycache_scrub_verified_bytes_total},
     * {@code polycache_scrub_damaged_total} (entries and blobs found damaged and removed) and
     * {@code polycache_scrub_passes_total}.
     */
    public void registerScrub(io.polycache.store.Scrubber scrubber) {
        registry.more().counter("polycache_scrub_verified_bytes", List.of(), scrubber,
                io.polycache.store.Scrubber::verifiedBytes);
        registry.more().counter("polycache_scrub_damaged", List.of(), scrubber, io.polycache.store.Scrubber::damaged);
        registry.more().counter("polycache_scrub_passes", List.of(), scrubber, io.polycache.store.Scrubber::passes);
    }

    /**
     * Refreshes of used entries on the shared store: {@code polycache_s3_touches_total} (objects
     * copied onto themselves), {@code polycache_s3_touches_skipped_total} (uses that needed none:
     * refreshed within the window, by this node or another) and
     * {@code polycache_s3_touches_failed_total}.
     */
    public void registerTouches(java.util.function.LongSupplier done, java.util.function.LongSupplier skipped,
            java.util.function.LongSupplier failed) {
        retained.addAll(List.of(done, skipped, failed)); // Micrometer holds function meters' objects weakly
        registry.more().counter("polycache_s3_touches", List.of(), done, LongSupplierValue::of);
        registry.more().counter("polycache_s3_touches_skipped", List.of(), skipped, LongSupplierValue::of);
        registry.more().counter("polycache_s3_touches_failed", List.of(), failed, LongSupplierValue::of);
    }

    /** What the janitor of the shared store shows (janitor retention). */
    public record JanitorView(java.util.function.LongSupplier usageMeasured, java.util.function.LongSupplier usageEstimated,
            java.util.function.LongSupplier hardLimit, java.util.function.LongSupplier rounds,
            java.util.function.DoubleSupplier lastRoundSeconds, java.util.function.LongSupplier evictedEntries,
            java.util.function.LongSupplier evictedBytes, java.util.function.BooleanSupplier leaseHeld,
            java.util.function.LongSupplier sweptBlobs) {}

    /**
     * Janitor retention: {@code polycache_s3_bucket_bytes} (the bucket's entries as the last
     * round left them, -1 before any is known), {@code polycache_s3_bucket_estimated_bytes} (that
     * plus this node's writes since: past {@code polycache_s3_bucket_hard_limit_bytes} writes get
     * 507), {@code polycache_s3_janitor_rounds_total} and
     * {@code polycache_s3_janitor_last_round_seconds} (rounds this node ran),
     * {@code polycache_s3_evicted_entries_total} (entries, indexes and ZIPs) and
     * {@code polycache_s3_evicted_bytes_total} (with the blobs they alone held),
     * {@code polycache_s3_swept_blobs_total} (blobs no index referenced) and
     * {@code polycache_s3_janitor_lease_held} (1 on the node that is the janitor now). Without
     * a bound (lifecycle retention) only the rounds, sweeps and lease.
     */
    public void registerJanitor(JanitorView view, boolean bounded) {
        retained.add(view);
        registry.more().counter("polycache_s3_janitor_rounds", List.of(), view.rounds(), LongSupplierValue::of);
        Gauge.builder("polycache_s3_janitor_last_round_seconds", view, v -> v.lastRoundSeconds().getAsDouble())
                .description("Duration of the last janitor round this node ran").register(registry);
        Gauge.builder("polycache_s3_janitor_lease_held", view, v -> v.leaseHeld().getAsBoolean() ? 1 : 0)
                .description("1 on the node holding the janitor lease").register(registry);
        registry.more().counter("polycache_s3_swept_blobs", List.of(), view.sweptBlobs(), LongSupplierValue::of);
        if (!bounded) {
            return;
        }
        Gauge.builder("polycache_s3_bucket_bytes", view, v -> v.usageMeasured().getAsLong())
                .description("Bytes of entries in the bucket as the janitor last measured them (-1: not yet)")
                .register(registry);
        Gauge.builder("polycache_s3_bucket_estimated_bytes", view, v -> v.usageEstimated().getAsLong())
                .description("The last measurement plus this node's writes since").register(registry);
        Gauge.builder("polycache_s3_bucket_hard_limit_bytes", view, v -> v.hardLimit().getAsLong())
                .description("Past this estimate, writes get 507 until the next round").register(registry);
        registry.more().counter("polycache_s3_evicted_entries", List.of(), view.evictedEntries(), LongSupplierValue::of);
        registry.more().counter("polycache_s3_evicted_bytes", List.of(), view.evictedBytes(), LongSupplierValue::of);
    }

    /**
     * A node over S3: its local tier's accounting, shown in {@code /v1/stats} as
     * {@code local_tier} and in {@code /metrics} as {@code polycache_local_tier_used_bytes},
     * {@code polycache_local_tier_limit_bytes}, {@code polycache_local_tier_entries} and
     * {@code polycache_local_tier_evictions_total}.
     */
    public void registerLocalTier(SpaceLedger local) {
        localTier = local;
        Gauge.builder("polycache_local_tier_used_bytes", local, SpaceLedger::used)
                .description("Bytes of the copies of bucket entries on this node's disk").register(registry);
        Gauge.builder("polycache_local_tier_limit_bytes", local, l -> limit(l.softLimit()))
                .description("Size the local tier evicts down to").register(registry);
        Gauge.builder("polycache_local_tier_entries", local, l -> l.countAndBytes(EntryKind.ENTRY)[0])
                .description("Copies of bucket entries on this node's disk").register(registry);
        registry.more().counter("polycache_local_tier_evictions", List.of(), local, SpaceLedger::evictions);
    }

    /** The local tier's accounting on a node over S3; empty on a node storing on its own disk. */
    public java.util.Optional<SpaceLedger> localTier() {
        return java.util.Optional.ofNullable(localTier);
    }

    private static final class LongSupplierValue {
        static double of(java.util.function.LongSupplier supplier) {
            return supplier.getAsLong();
        }
    }

    private static double limit(long limit) {
        return limit == SpaceLedger.UNBOUNDED ? -1 : limit;
    }

    /**
     * Entries and bytes stored for one protocol, as gauges ({@code polycache_protocol_entries},
     * {@code polycache_protocol_bytes}); each protocol registers itself once at start-up.
     */
    public void registerProtocol(String protocol) {
        protocols.add(protocol);
        Gauge.builder("polycache_protocol_entries", ledger, l -> l.countAndBytes(protocol)[0])
                .tag("protocol", protocol).description("Stored entries of a protocol").register(registry);
        Gauge.builder("polycache_protocol_bytes", ledger, l -> l.countAndBytes(protocol)[1])
                .tag("protocol", protocol).description("Stored bytes of a protocol").register(registry);
    }

    /** The protocols registered, in the order they were. */
    public java.util.Set<String> protocols() {
        return java.util.Collections.unmodifiableSet(protocols);
    }

    /**
     * One answered request.
     *
     * @param outcome what an entry read came to, or null for any other request
     */
    public void request(String protocol, String method, int status, long bytesIn, long bytesOut, ReadOutcome outcome) {
        RequestKind kind = new RequestKind(protocol, method, status, outcome);
        RequestCounters counters = requestCounters.get(kind);
        if (counters == null) {
            counters = requestCounters.computeIfAbsent(kind, this::countersOf);
        }
        counters.requests.increment();
        if (bytesIn > 0) {
            counters.received.increment(bytesIn);
        }
        if (bytesOut > 0) {
            counters.sent.increment(bytesOut);
        }
        if (counters.outcome != null) {
            counters.outcome.increment();
        }
    }

    /**
     * The counters one kind of request moves, looked up once: building and registering a meter
     * on every request cost about 5% of the CPU of a small GET (bench/run.sh profile).
     */
    private RequestCounters countersOf(RequestKind kind) {
        Counter requests = Counter.builder("polycache_requests").description("Requests answered")
                .tags("protocol", kind.protocol(), "method", kind.method(), "status", String.valueOf(kind.status()))
                .register(registry);
        Counter received = Counter.builder("polycache_received_bytes").description("Request body bytes received")
                .tag("protocol", kind.protocol()).register(registry);
        Counter sent = Counter.builder("polycache_sent_bytes").description("Response body bytes sent")
                .tag("protocol", kind.protocol()).register(registry);
        return new RequestCounters(requests, received, sent, outcomeOf(kind));
    }

    /** Hits, misses and read errors as the read path recorded them; refused uploads by status. */
    private Counter outcomeOf(RequestKind kind) {
        if (kind.outcome() != null) {
            return switch (kind.outcome()) {
                case HIT -> Counter.builder(HITS).tag("protocol", kind.protocol()).register(registry);
                case MISS -> Counter.builder(MISSES).tag("protocol", kind.protocol()).register(registry);
                case ERROR -> Counter.builder("polycache_read_errors").description("Entry reads that failed")
                        .tag("protocol", kind.protocol()).register(registry);
            };
        }
        if (kind.method().equals("PUT") && kind.status() == 422) {
            return verificationFailures(kind.protocol());
        }
        return null;
    }

    private record RequestKind(String protocol, String method, int status, ReadOutcome outcome) {}

    private record RequestCounters(Counter requests, Counter received, Counter sent, Counter outcome) {}

    /**
     * Cache events a client reports about its own runs ({@code polycache_client_events}): turbo
     * posts a HIT or MISS for each task, from its LOCAL or the REMOTE cache.
     */
    public void clientEvents(String protocol, String source, String event, long count) {
        Counter.builder("polycache_client_events").description("Cache events reported by clients")
                .tags("protocol", protocol, "source", source.toLowerCase(Locale.ROOT), "event",
                        event.toLowerCase(Locale.ROOT))
                .register(registry).increment(count);
    }

    public void hit(String protocol) {
        Counter.builder(HITS).tag("protocol", protocol).register(registry).increment();
    }

    public void miss(String protocol) {
        Counter.builder(MISSES).tag("protocol", protocol).register(registry).increment();
    }

    private Counter verificationFailures(String protocol) {
        return Counter.builder("polycache_verification_failures").description("Uploads refused as invalid")
                .tag("protocol", protocol).register(registry);
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

    /** Seconds since the webapp started. */
    public long uptimeSeconds() {
        return (System.nanoTime() - startedNanos) / 1_000_000_000L;
    }

    /**
     * Every protocol that has counted a hit or a miss, in name order, with its hits and misses:
     * read from the registry, so a protocol added later shows up without being listed here.
     */
    public java.util.SortedMap<String, long[]> hitsAndMissesByProtocol() {
        java.util.SortedMap<String, long[]> byProtocol = new java.util.TreeMap<>();
        for (String name : List.of(HITS, MISSES)) {
            for (Counter counter : registry.find(name).counters()) {
                String protocol = counter.getId().getTag("protocol");
                if (protocol != null) {
                    byProtocol.computeIfAbsent(protocol, p -> new long[2])[name.equals(HITS) ? 0 : 1] +=
                            (long) counter.count();
                }
            }
        }
        return byProtocol;
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
