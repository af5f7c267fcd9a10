package io.polycache.web.turbo;

import io.polycache.auth.ApiKeys;
import io.polycache.metrics.CacheMetrics;
import io.polycache.store.EntryKey;
import io.polycache.store.EntryMeta;
import io.polycache.store.EntryStore;
import io.polycache.store.EntryVerifier;
import io.polycache.store.SpaceLedger;
import io.polycache.web.EntryReads;
import io.polycache.web.EntryWrites;
import io.polycache.web.Services;
import io.polycache.web.filter.ApiKeyFilter;
import io.polycache.web.filter.Exchanges;
import io.polycache.web.filter.ServiceFilter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Turborepo remote-cache API (v8) under {@code /turbo}: {@code TURBO_API=<base>/turbo}.
 * Artifacts are opaque (turbo sends a zstd tar) and each team ({@code teamId}, else
 * {@code slug}) is a namespace of its own; a PUT replaces, since turbo re-uploads a hash whose
 * signature did not verify. Everything is answered here, none of it by JAX-RS.
 */
public final class TurboFilter extends ServiceFilter {
    static final String PREFIX = "/turbo";
    static final String ARTIFACTS = "/turbo/v8/artifacts";
    static final String STATUS = ARTIFACTS + "/status";
    static final String EVENTS = ARTIFACTS + "/events";
    static final String OCTETS = "application/octet-stream";
    static final String ALLOW_HEADERS = "Authorization, Content-Type, User-Agent, x-artifact-duration, x-artifact-tag,"
            + " x-artifact-sha, x-artifact-dirty-hash, x-artifact-client-ci, x-artifact-client-interactive";

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(TurboFilter.class.getName());

    private static final EntryReads.Answer ANSWER = new EntryReads.Answer() {
        @Override
        public void found(HttpServletResponse response, EntryMeta meta) {
            response.setContentType(OCTETS);
            meta.headers().forEach(response::setHeader);
        }

        @Override
        public void missing(HttpServletResponse response) throws IOException {
            TurboErrors.write(response, 404, "Artifact not found");
        }
    };

    private EntryStore store;
    private SpaceLedger ledger;
    private CacheMetrics metrics;

    @Override
    protected void init(Services services) {
        store = services.entries();
        ledger = services.ledger();
        metrics = services.metrics();
    }

    /** Turbo's POSTs that store nothing (artifact query, events): reads, as far as keys go. */
    public static boolean isReadOnlyPost(String method, String path) {
        return method.equals("POST") && (path.equals(ARTIFACTS) || path.equals(EVENTS));
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException {
        String path = Exchanges.path(request);
        String method = request.getMethod();
        if (method.equals("OPTIONS")) {
            preflight(response);
            return;
        }
        boolean artifact = path.startsWith(ARTIFACTS + "/") && !path.equals(STATUS) && !path.equals(EVENTS);
        if (!path.equals(ARTIFACTS) && !path.equals(STATUS) && !path.equals(EVENTS) && !artifact) {
            TurboErrors.write(response, 404, "Not a Turborepo v8 path: " + path + "; set TURBO_API to <base>" + PREFIX);
            return;
        }
        List<String> allowed = path.equals(STATUS) ? List.of("GET")
                : artifact ? List.of("GET", "HEAD", "PUT") : List.of("POST");
        if (!allowed.contains(method)) {
            response.setHeader("Allow", String.join(", ", allowed) + ", OPTIONS");
            TurboErrors.write(response, 405, method + " is not allowed here");
            return;
        }
        Optional<TurboTeam> team = team(request, response);
        if (team.isEmpty()) {
            return;
        }
        if (path.equals(STATUS)) {
            status(response);
        } else if (path.equals(EVENTS)) {
            events(request, response);
        } else if (path.equals(ARTIFACTS)) {
            query(request, response, team.get());
        } else {
            Optional<EntryKey> key = TurboArtifact.key(path.substring(ARTIFACTS.length() + 1));
            if (key.isEmpty()) {
                TurboErrors.write(response, 400, "Not an artifact hash (hexadecimal, at most "
                        + TurboArtifact.MAX_HASH + " digits): " + path.substring(ARTIFACTS.length() + 1));
            } else if (method.equals("PUT")) {
                put(request, response, team.get(), key.get());
            } else {
                EntryReads.serve(request, response, store, team.get().namespace(), key.get(), method.equals("HEAD"),
                        ANSWER);
            }
        }
    }

    /**
     * The request's team, checked against the key's team list; empty (answered) when it has none,
     * a malformed one, or one outside the key's.
     */
    private static Optional<TurboTeam> team(HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        // From the query string alone: getParameter would consume a form-encoded POST body.
        String query = request.getQueryString();
        String name = TurboTeam.nameOf(queryParameter(query, "teamId"), queryParameter(query, "slug"));
        if (name == null) {
            TurboErrors.write(response, 400, "No team: set TURBO_TEAM (sent as ?slug=) or TURBO_TEAMID (?teamId=)");
            return Optional.empty();
        }
        Optional<TurboTeam> team = TurboTeam.parse(name);
        if (team.isEmpty()) {
            TurboErrors.write(response, 400, "Not a team name (letters, digits, . _ - ~, at most "
                    + TurboTeam.MAX_NAME + " characters): " + name);
            return Optional.empty();
        }
        if (request.getAttribute(ApiKeyFilter.KEY_ATTRIBUTE) instanceof ApiKeys.Entry key && !key.reaches(team.get().name())) {
            LOG.warning("Refused 403 (team " + team.get().name() + " outside the key's teams) to "
                    + request.getRemoteAddr() + ": " + request.getMethod() + " " + request.getRequestURI());
            TurboErrors.write(response, 403, "This API key may not reach team '" + team.get().name()
                    + "'; its teams are " + String.join(", ", key.teams()));
            return Optional.empty();
        }
        return team;
    }

    /** The first value of a query-string parameter, decoded; null when absent or undecodable. */
    static String queryParameter(String query, String name) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equals(name)) {
                try {
                    return java.net.URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1),
                            java.nio.charset.StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static void preflight(HttpServletResponse response) {
        // turbo --preflight drops Authorization from the request that follows unless it is allowed here.
        response.setStatus(200);
        response.setHeader("Access-Control-Allow-Origin", "*");
        response.setHeader("Access-Control-Allow-Methods", "GET, HEAD, PUT, POST, OPTIONS");
        response.setHeader("Access-Control-Allow-Headers", ALLOW_HEADERS);
        response.setHeader("Access-Control-Max-Age", "600");
        response.setContentLength(0);
    }

    private void status(HttpServletResponse response) throws IOException {
        byte[] body = ("{\"status\":\"" + cacheStatus(ledger) + "\"}").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        response.setStatus(200);
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /**
     * What {@code /status} reports: {@code over_limit} once the store holds its hard limit (turbo
     * only shows it as a banner; its reads go on), else {@code enabled}.
     */
    static String cacheStatus(SpaceLedger ledger) {
        boolean over = ledger.hardLimit() != SpaceLedger.UNBOUNDED && ledger.used() >= ledger.hardLimit();
        return over ? "over_limit" : "enabled";
    }

    private void put(HttpServletRequest request, HttpServletResponse response, TurboTeam team, EntryKey key)
            throws IOException {
        Map<String, String> replayed;
        try {
            replayed = TurboArtifact.replayedHeaders(request.getHeader(TurboArtifact.DURATION), request.getHeader(TurboArtifact.TAG));
        } catch (IllegalArgumentException e) {
            TurboErrors.write(response, 400, e.getMessage());
            return;
        }
        if (EntryWrites.put(request, response, store, team.namespace(), key, EntryVerifier.NONE, replayed).isEmpty()) {
            return;
        }
        response.setStatus(202);
        response.setContentType("application/json");
        TurboBodies.writeUrls(response.getOutputStream(), request.getContextPath() + ARTIFACTS + "/" + key + "?teamId=" + team.name());
    }

    /** {@code {"hashes": [...]}} in, {@code {hash: {size, taskDurationMs, tag} | null}} out (turbo --dry-run). */
    private void query(HttpServletRequest request, HttpServletResponse response, TurboTeam team) throws IOException {
        List<String> hashes;
        try {
            hashes = TurboBodies.queryHashes(request.getInputStream());
        } catch (TurboBodies.Malformed e) {
            TurboErrors.write(response, 400, "Expected {\"hashes\": [...]}: " + e.getMessage());
            return;
        }
        response.setStatus(200);
        response.setContentType("application/json");
        TurboBodies.writeQueryAnswer(response.getOutputStream(), hashes,
                hash -> store.head(team.namespace(), TurboArtifact.key(hash).orElseThrow()));
    }

    /** {@code [{sessionId, source, event, hash, duration}, ...]}: counted by source and event. */
    private void events(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Map<TurboBodies.EventKind, Integer> counts;
        try {
            counts = TurboBodies.eventCounts(request.getInputStream());
        } catch (TurboBodies.Malformed e) {
            TurboErrors.write(response, 400, "Expected [{\"source\", \"event\", ...}]: " + e.getMessage());
            return;
        }
        // Counted only once the whole body is known good: a bad body counts nothing.
        counts.forEach((kind, n) -> metrics.clientEvents("turbo", kind.source(), kind.event(), n));
        response.setStatus(200);
        response.setContentLength(0);
    }
}
