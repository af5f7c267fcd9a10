package io.polycache.web;

import io.polycache.web.filter.Exchanges;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The protocols Polycache speaks, told apart by their path prefix (relative to the context
 * path): the one table that says which protocol a request belongs to (for metrics, size
 * limits), how its errors are written (each client parses its own shape), and how a missing
 * key is challenged.
 */
public enum Protocol {
    POLYKIT("polykit", "/v1/artifacts/", true, ErrorBody.JSON, Protocol.BEARER),
    TURBO("turbo", "/turbo/", true, io.polycache.web.turbo.TurboErrors::write, Protocol.BEARER),
    NX("nx", "/nx/", true, io.polycache.web.nx.NxErrors::write, Protocol.BEARER),
    BAZEL("bazel", "/bazel/", true, ErrorBody.JSON, Protocol.BEARER),
    CCACHE("ccache", "/ccache/", true, ErrorBody.JSON, Protocol.BEARER),
    GRADLE("gradle", "/gradle/", true, ErrorBody.JSON, Protocol.BEARER),
    MAVEN("maven", "/maven/", true, ErrorBody.JSON, Protocol.BASIC),
    DEPS("deps", null, false, ErrorBody.JSON, Protocol.BEARER),
    OPS("ops", null, false, ErrorBody.JSON, Protocol.BEARER);

    /** {@code WWW-Authenticate} for clients that send a Bearer key. */
    static final String BEARER = "Bearer realm=\"polycache\"";
    /** {@code WWW-Authenticate} for clients that send credentials only when challenged (Maven). */
    static final String BASIC = "Basic realm=\"polycache\"";

    /** How a protocol's clients expect an error body. */
    @FunctionalInterface
    public interface ErrorBody {
        /** Polycache's own shape: {@code {"error": "..."}}. */
        ErrorBody JSON = Exchanges::writeError;

        void write(HttpServletResponse response, int status, String message) throws IOException;
    }

    private final String metricName;
    private final String prefix;
    private final boolean storesEntries;
    private final ErrorBody errors;
    private final String challenge;

    Protocol(String metricName, String prefix, boolean storesEntries, ErrorBody errors, String challenge) {
        this.metricName = metricName;
        this.prefix = prefix;
        this.storesEntries = storesEntries;
        this.errors = errors;
        this.challenge = challenge;
    }

    /** The protocol of a path within the webapp. */
    public static Protocol of(String path) {
        for (Protocol protocol : values()) {
            if (protocol.prefix != null && path.startsWith(protocol.prefix)) {
                return protocol;
            }
        }
        if (path.equals("/v1/cache") || path.startsWith("/download/")) {
            return DEPS;
        }
        return OPS;
    }

    /** The {@code protocol} tag of its metrics. */
    public String metricName() {
        return metricName;
    }

    /** Whether uploads are cache entries (bounded by {@code polycache.maxArtifactSize}). */
    public boolean storesEntries() {
        return storesEntries;
    }

    /** Writes an error in the shape this protocol's clients read. */
    public void writeError(HttpServletResponse response, int status, String message) throws IOException {
        errors.write(response, status, message);
    }

    /**
     * Whether a request only reads, so that a read-only key (or none, with anonymous reads) may
     * make it: GET and HEAD, and Turborepo's artifact query and events POSTs, which store nothing.
     */
    public boolean isRead(String method, String path) {
        return method.equals("GET") || method.equals("HEAD")
                || (this == TURBO && io.polycache.web.turbo.TurboFilter.isReadOnlyPost(method, path));
    }

    /**
     * Whether CORS preflights ({@code OPTIONS}, which carry no credentials) are answered without
     * a key: {@code turbo --preflight} sends one before every request.
     */
    public boolean answersPreflight() {
        return this == TURBO;
    }

    /** The {@code WWW-Authenticate} value of a 401. */
    public String challenge() {
        return challenge;
    }
}
