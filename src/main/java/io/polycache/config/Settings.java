package io.polycache.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Every {@code polycache.*} parameter, parsed and validated once at start-up. This is the only
 * place that reads configuration; services get plain values from it, never the object itself.
 *
 * <p>The defaults below are also declared in {@code WEB-INF/web.xml}, where operators read them
 * (a test keeps the two equal).
 */
public record Settings(Path storageDir, long maxArtifactSize, long maxRequestSize,
        DependencySettings deps) {

    public static final String PREFIX = "polycache.";
    public static final String STORAGE_DIR = "polycache.storageDir";
    public static final String MAX_ARTIFACT_SIZE = "polycache.maxArtifactSize";
    public static final String MAX_REQUEST_SIZE = "polycache.maxRequestSize";
    public static final String BASE_URL = "polycache.baseUrl";
    public static final String INSTALL_CONCURRENCY = "polycache.install.concurrency";
    public static final String INSTALL_QUEUE_SIZE = "polycache.install.queueSize";
    public static final String INSTALL_TIMEOUT_SECONDS = "polycache.install.timeoutSeconds";

    /** Every known parameter with its default, in documentation order. */
    public static final Map<String, String> DEFAULTS;

    static {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(STORAGE_DIR, "cache");
        d.put(MAX_ARTIFACT_SIZE, "1073741824");
        d.put(MAX_REQUEST_SIZE, "32m");
        d.put(BASE_URL, "");
        d.put(INSTALL_CONCURRENCY, "2");
        d.put(INSTALL_QUEUE_SIZE, "16");
        d.put(INSTALL_TIMEOUT_SECONDS, "600");
        DEFAULTS = Collections.unmodifiableMap(d);
    }

    /**
     * Builds the settings from raw parameter values.
     *
     * @param names every {@code polycache.*} name that was given (unknown ones are refused, so
     *              that a typo in a context descriptor does not silently fall back to a default)
     * @param raw   the raw value of a parameter, or null
     */
    public static Settings from(Iterable<String> names, Function<String, String> raw) {
        for (String name : names) {
            if (name.startsWith(PREFIX) && !DEFAULTS.containsKey(name)) {
                throw new SettingsException("Unknown parameter " + name);
            }
        }
        Parameters p = new Parameters(raw);
        return new Settings(p.path(STORAGE_DIR), p.size(MAX_ARTIFACT_SIZE), p.size(MAX_REQUEST_SIZE),
                new DependencySettings(p.baseUrl(BASE_URL), p.positiveInt(INSTALL_CONCURRENCY),
                        p.positiveInt(INSTALL_QUEUE_SIZE), p.positiveInt(INSTALL_TIMEOUT_SECONDS)));
    }

    /** Convenience for tests and the launcher: settings from a plain map. */
    public static Settings from(Map<String, String> params) {
        return from(params.keySet(), params::get);
    }
}
