package io.polycache.web;

import io.polycache.deps.DependencyCache;
import io.polycache.metrics.CacheMetrics;
import io.polycache.store.StorageDirectory;
import io.polycache.store.SpaceLedger;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The status page for people at the context root: the figures of {@code /v1/stats} (the very
 * same map), rendered on the server as one HTML document with inline styles, no script and no
 * external asset, reloading itself. Access is that of every other path (see ApiKeyFilter).
 *
 * <p>Each figure sits in an element whose {@code data-stat} names its place in the stats map
 * ({@code protocols/polykit/hits}), which is how the browser test compares the two.
 */
@Path("/")
@Singleton
public final class StatusPageResource {
    static final int REFRESH_SECONDS = 10;

    private final StatsResource stats;

    @Inject
    public StatusPageResource(SpaceLedger ledger, CacheMetrics metrics, DependencyCache deps, StorageDirectory files) {
        this.stats = new StatsResource(ledger, metrics, deps, files);
    }

    @GET
    @Produces("text/html;charset=utf-8")
    public Response page() throws IOException {
        return Response.ok(render(stats.stats())).header("Cache-Control", "no-store").build();
    }

    @SuppressWarnings("unchecked")
    static String render(Map<String, Object> s) {
        StringBuilder h = new StringBuilder(8192);
        h.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<meta http-equiv=\"refresh\" content=\"").append(REFRESH_SECONDS).append("\">")
                .append("<title>Polycache</title><style>").append(STYLE).append("</style></head><body>\n");
        h.append("<h1>Polycache <small>").append(stat("version", s.get("version"))).append("</small></h1>\n");
        h.append("<p class=\"muted\">up ").append(duration(((Number) s.get("uptime_seconds")).longValue()))
                .append(" · refreshes every ").append(REFRESH_SECONDS).append(" s</p>\n");

        long used = ((Number) s.get("used_bytes")).longValue();
        Object limit = s.get("limit_bytes");
        h.append("<section><h2>Storage</h2>\n");
        if (limit != null) {
            double share = Math.min(1.0, (double) used / ((Number) limit).longValue());
            h.append("<div class=\"bar\" role=\"img\" aria-label=\"").append(percent(share)).append(" used\"><div style=\"width:")
                    .append(String.format(Locale.ROOT, "%.1f", share * 100)).append("%\"></div></div>\n");
        }
        h.append("<p>").append(stat("used_bytes", used)).append(" bytes used (").append(size(used)).append(") of ")
                .append(stat("limit_bytes", limit)).append(limit == null ? "" : " bytes (" + size(((Number) limit).longValue()) + ")")
                .append("; ").append(stat("evictions", s.get("evictions"))).append(" evictions, ")
                .append(stat("evicted_bytes", s.get("evicted_bytes"))).append(" bytes evicted</p>\n");
        h.append("<table><tr><th>entries</th><th>count</th><th>bytes</th></tr>\n");
        for (String kind : StatsResource.kindNames()) {
            Map<String, Object> figures = (Map<String, Object>) s.get(kind);
            h.append("<tr><td>").append(kind).append("</td><td>").append(stat(kind + "/count", figures.get("count")))
                    .append("</td><td>").append(stat(kind + "/bytes", figures.get("bytes"))).append("</td></tr>\n");
        }
        h.append("</table>\n");
        Map<String, Object> local = (Map<String, Object>) s.get("local_tier");
        if (local != null) { // a node over S3
            long localBytes = ((Number) local.get("bytes")).longValue();
            h.append("<p>Local tier (copies of the bucket's entries): ").append(stat("local_tier/count", local.get("count")))
                    .append(" entries, ").append(stat("local_tier/bytes", localBytes)).append(" bytes (").append(size(localBytes))
                    .append(") of ").append(stat("local_tier/limit_bytes", local.get("limit_bytes"))).append(" bytes; ")
                    .append(stat("local_tier/evictions", local.get("evictions"))).append(" evictions</p>\n");
        }
        h.append("</section>\n");

        h.append("<section><h2>Hits</h2>\n<table><tr><th>protocol</th><th>hits</th><th>misses</th><th>hit ratio</th></tr>\n");
        Map<String, Object> protocols = (Map<String, Object>) s.get("protocols");
        for (Map.Entry<String, Object> protocol : protocols.entrySet()) {
            Map<String, Object> figures = (Map<String, Object>) protocol.getValue();
            String at = "protocols/" + protocol.getKey();
            h.append("<tr><td>").append(escape(protocol.getKey())).append("</td><td>").append(stat(at + "/hits", figures.get("hits")))
                    .append("</td><td>").append(stat(at + "/misses", figures.get("misses"))).append("</td><td>")
                    .append(stat(at + "/hit_ratio", figures.get("hit_ratio"))).append("</td></tr>\n");
        }
        h.append("<tr class=\"total\"><td>all</td><td>").append(stat("hits", s.get("hits"))).append("</td><td>")
                .append(stat("misses", s.get("misses"))).append("</td><td>").append(stat("hit_ratio", s.get("hit_ratio")))
                .append("</td></tr>\n</table></section>\n");

        Map<String, Object> installs = (Map<String, Object>) s.get("installs_since_start");
        h.append("<section><h2>Dependency installs</h2>\n<p>").append(stat("installs_in_flight", s.get("installs_in_flight")))
                .append(" in flight; since start ").append(stat("installs_since_start/run", installs.get("run")))
                .append(" run, ").append(stat("installs_since_start/failed", installs.get("failed"))).append(" failed; ")
                .append("deduplication ").append(stat("deduplication_ratio", s.get("deduplication_ratio"))).append("×</p>\n");
        List<Map<String, Object>> failures = (List<Map<String, Object>>) s.get("recent_install_failures");
        if (!failures.isEmpty()) {
            h.append("<h3>Recent failures</h3><ul>\n");
            for (Map<String, Object> failure : failures) {
                h.append("<li><time>").append(escape(failure.get("at"))).append("</time> ").append(escape(failure.get("manager")))
                        .append(": ").append(escape(failure.get("reason"))).append("</li>\n");
            }
            h.append("</ul>\n");
        }
        List<String> toolchains = (List<String>) s.get("toolchains");
        h.append("<h3>Toolchains present</h3><p>").append(toolchains.isEmpty() ? "none provisioned"
                : escape(String.join(", ", toolchains))).append("</p></section>\n");

        h.append("<footer><a href=\"metrics\">/metrics</a> (Prometheus) · <a href=\"v1/stats\">/v1/stats</a> (JSON)</footer>\n");
        h.append("</body></html>\n");
        return h.toString();
    }

    /** One figure, as shown: integers grouped by thousands, ratios as percentages, null as "–" (or "unlimited"). */
    static String format(String path, Object value) {
        if (value == null) {
            return path.endsWith("limit_bytes") ? "unlimited" : "–";
        }
        if (path.endsWith("hit_ratio")) {
            return percent(((Number) value).doubleValue());
        }
        if (value instanceof Long || value instanceof Integer) {
            return String.format(Locale.ROOT, "%,d", ((Number) value).longValue());
        }
        return String.valueOf(value);
    }

    private static String stat(String path, Object value) {
        return "<span data-stat=\"" + escape(path) + "\">" + escape(format(path, value)) + "</span>";
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    private static String size(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    private static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return seconds / 60 + " min";
        }
        if (seconds < 86400) {
            return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
        }
        return seconds / 86400 + " d " + seconds % 86400 / 3600 + " h";
    }

    static String escape(Object value) {
        String text = String.valueOf(value);
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static final String STYLE = String.join("",
            "body{font:16px/1.45 system-ui,sans-serif;margin:0 auto;padding:1em;max-width:44em;color:#1d2330;background:#fff}",
            "h1{font-size:1.5em;margin:.2em 0}h1 small{font-size:.6em;color:#667}h2{font-size:1.15em;margin:1.2em 0 .4em}",
            "h3{font-size:1em;margin:.8em 0 .3em}.muted{color:#667;margin:0}",
            "table{border-collapse:collapse;width:100%}th,td{text-align:right;padding:.25em .5em;border-bottom:1px solid #e3e6ee}",
            "th:first-child,td:first-child{text-align:left}tr.total td{font-weight:600}",
            ".bar{height:1.1em;background:#e3e6ee;border-radius:.3em;overflow:hidden}.bar div{height:100%;background:#3867d6}",
            "footer{margin-top:1.5em;color:#667}a{color:#3867d6}",
            "@media (prefers-color-scheme:dark){body{background:#14171f;color:#e6e8ee}th,td{border-color:#2b3040}",
            ".bar{background:#2b3040}}");
}
