package io.polycache.web.filter;

import io.polycache.auth.ApiKeys;
import io.polycache.auth.KeyRegistry;
import io.polycache.auth.Scope;
import io.polycache.config.Settings;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import io.polycache.web.Protocol;
import io.polycache.web.Services;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * API-key access control for every path but the health check, the dependency-cache client
 * script (and the metrics scrape, when {@code polycache.metrics.public} is set). Keys come as
 * {@code Authorization: Bearer <key>}, or as the password of {@code Basic} credentials (the
 * user is ignored), which is what Gradle, Maven and ccache send. Read-only keys may only GET
 * and HEAD (and what {@link Protocol#isRead} counts as reads), and ask the dependency cache for a
 * bundle ({@code POST /v1/cache}, marked with {@link #READ_ONLY_ATTRIBUTE} so that it is answered
 * only when stored). A CORS preflight of a protocol that answers them passes without a key. The
 * accepted key's entry (its Turborepo teams) is left in {@link #KEY_ATTRIBUTE} for the protocol
 * filters. No key material is ever logged.
 */
public final class ApiKeyFilter extends ServiceFilter {
    private static final Logger LOG = Logger.getLogger(ApiKeyFilter.class.getName());

    static final String MISSING = "Missing Authorization Bearer <APIKEY>";
    static final String MALFORMED = "Invalid authorization format. Use Bearer <APIKEY>";
    static final String UNKNOWN = "Invalid API key";
    static final String READ_ONLY = "This API key is read-only";
    /** Request attribute: the {@link ApiKeys.Entry} of the key that was presented and accepted. */
    public static final String KEY_ATTRIBUTE = "io.polycache.apiKey";

    /** Request attribute set (to {@code Boolean.TRUE}) when a read-only key asks for a bundle. */
    public static final String READ_ONLY_ATTRIBUTE = "io.polycache.readOnlyKey";

    private boolean open;
    private boolean anonymousRead;
    private boolean metricsOpen;
    private KeyRegistry registry;

    @Override
    protected void init(Services services) throws ServletException {
        Settings settings = services.settings();
        registry = services.keys();
        open = settings.publicAccess();
        anonymousRead = settings.anonymousRead();
        metricsOpen = settings.metricsPublic();
        if (!open && registry == null) {
            throw new ServletException("API keys are missing: the start-up listener did not load them");
        }
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        Protocol protocol = Protocol.of(Exchanges.path(request));
        if (open || isHealthCheck(request) || isClientScript(request) || (metricsOpen && isMetricsScrape(request))
                || (protocol.answersPreflight() && request.getMethod().equals("OPTIONS"))) {
            chain.doFilter(request, response);
            return;
        }
        boolean read = protocol.isRead(request.getMethod(), Exchanges.path(request));
        String header = request.getHeader("Authorization");
        if (header == null) {
            if (read && anonymousRead) {
                chain.doFilter(request, response);
            } else {
                refuse(request, response, 401, MISSING);
            }
            return;
        }
        Optional<String> key = keyOf(header);
        if (key.isEmpty()) {
            refuse(request, response, 401, MALFORMED);
            return;
        }
        Optional<ApiKeys.Entry> entry = registry.keys().find(key.get());
        if (entry.isEmpty()) {
            refuse(request, response, 401, UNKNOWN);
        } else if (entry.get().scope() == Scope.READ_ONLY && isBundleRequest(request)) {
            request.setAttribute(READ_ONLY_ATTRIBUTE, Boolean.TRUE);
            chain.doFilter(request, response);
        } else if (entry.get().scope() == Scope.READ_ONLY && !read) {
            refuse(request, response, 403, READ_ONLY);
        } else {
            request.setAttribute(KEY_ATTRIBUTE, entry.get());
            chain.doFilter(request, response);
        }
    }

    /** The key from a Bearer or Basic header; empty when the header is of another form. */
    static Optional<String> keyOf(String header) {
        int space = header.indexOf(' ');
        if (space <= 0) {
            return Optional.empty();
        }
        String scheme = header.substring(0, space);
        String credentials = header.substring(space + 1).strip();
        if (credentials.isEmpty()) {
            return Optional.empty();
        }
        if (scheme.equalsIgnoreCase("Bearer")) {
            return Optional.of(credentials);
        }
        if (scheme.equalsIgnoreCase("Basic")) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            int colon = decoded.indexOf(':');
            if (colon < 0 || colon == decoded.length() - 1) {
                return Optional.empty();
            }
            return Optional.of(decoded.substring(colon + 1));
        }
        return Optional.empty();
    }

    private static boolean isRead(String method) {
        return method.equals("GET") || method.equals("HEAD");
    }

    private static boolean isBundleRequest(HttpServletRequest request) {
        return request.getMethod().equals("POST") && Exchanges.path(request).equals("/v1/cache");
    }

    private static boolean isHealthCheck(HttpServletRequest request) {
        return isRead(request.getMethod()) && Exchanges.path(request).equals("/health");
    }

    /** The dependency-cache client script: public, a job fetches it before using its key. */
    private static boolean isClientScript(HttpServletRequest request) {
        return isRead(request.getMethod()) && Exchanges.path(request).equals("/client/polycache-deps");
    }

    private static boolean isMetricsScrape(HttpServletRequest request) {
        return isRead(request.getMethod()) && Exchanges.path(request).equals("/metrics");
    }

    private static void refuse(HttpServletRequest request, HttpServletResponse response, int status, String message)
            throws IOException {
        LOG.warning("Refused " + status + " (" + message + ") to " + request.getRemoteAddr() + ": "
                + request.getMethod() + " " + request.getRequestURI());
        Protocol protocol = Protocol.of(Exchanges.path(request));
        if (status == 401) {
            response.setHeader("WWW-Authenticate", protocol.challenge());
        }
        protocol.writeError(response, status, message);
    }
}
