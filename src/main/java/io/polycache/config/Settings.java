package io.polycache.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Every {@code polycache.*} parameter, parsed and validated once at start-up. This is the only
 * place that reads configuration; services get plain values from it, never the object itself.
 *
 * <p>The defaults below are also declared in {@code WEB-INF/web.xml}, where operators read them
 * (a test keeps the two equal).
 */
public record Settings(
        Path storageDir,
        long maxArtifactSize,
        long maxRequestSize,
        boolean publicAccess,
        Path apiKeysFile,
        List<String> apiKeys,
        boolean anonymousRead,
        long maxCacheSize,
        int maxCacheSizePercent,
        long maxCacheSizeHard,
        boolean metricsPublic,
        DependencySettings deps,
        ToolchainSettings toolchains,
        S3Settings s3,
        ScrubSettings scrub) {

    /** {@link #maxCacheSize()} when no limit is set. */
    public static final long UNBOUNDED = Long.MAX_VALUE;

    public static final String PREFIX = "polycache.";
    public static final String STORAGE_DIR = "polycache.storageDir";
    public static final String MAX_ARTIFACT_SIZE = "polycache.maxArtifactSize";
    public static final String MAX_REQUEST_SIZE = "polycache.maxRequestSize";
    public static final String PUBLIC = "polycache.public";
    public static final String API_KEYS_FILE = "polycache.apiKeysFile";
    public static final String API_KEYS = "polycache.apiKeys";
    public static final String ANONYMOUS_READ = "polycache.anonymousRead";
    public static final String MAX_CACHE_SIZE = "polycache.maxCacheSize";
    public static final String MAX_CACHE_SIZE_HARD = "polycache.maxCacheSizeHard";
    public static final String METRICS_PUBLIC = "polycache.metrics.public";
    public static final String BASE_URL = "polycache.baseUrl";
    public static final String INSTALL_CONCURRENCY = "polycache.install.concurrency";
    public static final String INSTALL_QUEUE_SIZE = "polycache.install.queueSize";
    public static final String INSTALL_TIMEOUT_SECONDS = "polycache.install.timeoutSeconds";
    public static final String NPM_VERSIONS = "polycache.npm.versions";
    public static final String COMPOSER_VERSIONS = "polycache.composer.versions";
    public static final String TOOLCHAINS_PROVISION = "polycache.toolchains.provision";
    public static final String PACKAGE_CACHE_MAX_SIZE = "polycache.packageCache.maxSize";
    public static final String CONTAINER_ENABLED = "polycache.container.enabled";
    public static final String CONTAINER_COMMAND = "polycache.container.command";
    public static final String CONTAINER_IMAGE_NPM = "polycache.container.image.npm";
    public static final String CONTAINER_IMAGE_COMPOSER = "polycache.container.image.composer";
    public static final String CONTAINER_EXTRA_ARGS = "polycache.container.extraArgs";
    public static final String S3_BUCKET = "polycache.s3.bucket";
    public static final String S3_ENDPOINT = "polycache.s3.endpoint";
    public static final String S3_REGION = "polycache.s3.region";
    public static final String S3_PREFIX = "polycache.s3.prefix";
    public static final String S3_PATH_STYLE = "polycache.s3.pathStyle";
    public static final String LOCAL_CACHE_SIZE = "polycache.localCacheSize";
    public static final String S3_RETENTION = "polycache.s3.retention";
    public static final String S3_TOUCH_AFTER = "polycache.s3.touchAfter";
    public static final String S3_JANITOR_INTERVAL = "polycache.s3.janitorInterval";
    public static final String S3_JANITOR_LEASE = "polycache.s3.janitorLease";
    public static final String S3_BLOB_GRACE = "polycache.s3.blobGrace";

    /**
     * Bounded by default: a quarter of the filesystem that holds the storage directory. A share
     * of its size rather than of its free space, because the free space shrinks as the cache
     * fills it: a bound taken from it would shrink at every restart.
     */
    public static final String DEFAULT_CACHE_SHARE = "25%";

    public static final String SCRUB_BYTES_PER_SECOND = "polycache.scrub.bytesPerSecond";
    public static final String SCRUB_INTERVAL_SECONDS = "polycache.scrub.intervalSeconds";

    /** Every known parameter with its default, in documentation order. */
    public static final Map<String, String> DEFAULTS;

    static {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(STORAGE_DIR, "cache");
        d.put(MAX_ARTIFACT_SIZE, "1073741824");
        d.put(MAX_REQUEST_SIZE, "32m");
        d.put(PUBLIC, "false");
        d.put(API_KEYS_FILE, "");
        d.put(API_KEYS, "");
        d.put(ANONYMOUS_READ, "false");
        d.put(MAX_CACHE_SIZE, DEFAULT_CACHE_SHARE);
        d.put(MAX_CACHE_SIZE_HARD, "");
        d.put(METRICS_PUBLIC, "false");
        d.put(BASE_URL, "");
        d.put(INSTALL_CONCURRENCY, "2");
        d.put(INSTALL_QUEUE_SIZE, "16");
        d.put(INSTALL_TIMEOUT_SECONDS, "600");
        d.put(NPM_VERSIONS, "");
        d.put(COMPOSER_VERSIONS, "");
        d.put(TOOLCHAINS_PROVISION, "false");
        d.put(PACKAGE_CACHE_MAX_SIZE, "2g");
        d.put(CONTAINER_ENABLED, "false");
        d.put(CONTAINER_COMMAND, "docker");
        d.put(CONTAINER_IMAGE_NPM, "node:{node}-alpine");
        d.put(CONTAINER_IMAGE_COMPOSER, "polycache/composer:php{php}");
        d.put(CONTAINER_EXTRA_ARGS, "");
        d.put(S3_BUCKET, "");
        d.put(S3_ENDPOINT, "");
        d.put(S3_REGION, "");
        d.put(S3_PREFIX, "polycache/");
        d.put(S3_PATH_STYLE, "false");
        d.put(LOCAL_CACHE_SIZE, "10g");
        d.put(S3_RETENTION, "lifecycle");
        d.put(S3_TOUCH_AFTER, "1d");
        d.put(S3_JANITOR_INTERVAL, "10m");
        d.put(S3_JANITOR_LEASE, "5m");
        d.put(S3_BLOB_GRACE, "1d");
        d.put(SCRUB_BYTES_PER_SECOND, "4m");
        d.put(SCRUB_INTERVAL_SECONDS, "86400");
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
        Path keysFile = p.string(API_KEYS_FILE).isEmpty() ? null : p.path(API_KEYS_FILE);
        List<String> keys = p.list(API_KEYS);
        boolean isPublic = p.bool(PUBLIC);
        if (!isPublic && keysFile == null && keys.isEmpty()) {
            throw new SettingsException("No access control configured: set " + PUBLIC + "=true to let anyone "
                    + "read and write, or give API keys with " + API_KEYS_FILE + " or " + API_KEYS);
        }
        Path storageDir = p.path(STORAGE_DIR);
        int percent = p.percentOrZero(MAX_CACHE_SIZE);
        long maxCache = percent > 0 ? Parameters.totalSpace(MAX_CACHE_SIZE, storageDir) / 100 * percent
                : p.sizeOrUnlimited(MAX_CACHE_SIZE, UNBOUNDED);
        long defaultHard = maxCache == UNBOUNDED ? UNBOUNDED : maxCache + maxCache / 20;
        long maxCacheHard = p.optionalSize(MAX_CACHE_SIZE_HARD, defaultHard);
        if (maxCacheHard < maxCache) {
            throw SettingsException.invalid(MAX_CACHE_SIZE_HARD, p.string(MAX_CACHE_SIZE_HARD),
                    "a size no smaller than " + MAX_CACHE_SIZE + " (" + maxCache + " bytes)");
        }
        return new Settings(storageDir, p.size(MAX_ARTIFACT_SIZE), p.size(MAX_REQUEST_SIZE),
                isPublic, keysFile, keys, p.bool(ANONYMOUS_READ), maxCache, percent, maxCacheHard, p.bool(METRICS_PUBLIC),
                new DependencySettings(p.baseUrl(BASE_URL), p.positiveInt(INSTALL_CONCURRENCY),
                        p.positiveInt(INSTALL_QUEUE_SIZE), p.positiveInt(INSTALL_TIMEOUT_SECONDS)),
                toolchains(p), s3(p, percent), scrub(p));
    }

    private static RetentionSettings retention(Parameters p, String bucket, int cacheSizePercent) {
        RetentionSettings.Mode mode = RetentionSettings.Mode.parse(S3_RETENTION, p.string(S3_RETENTION));
        RetentionSettings retention = new RetentionSettings(mode, p.duration(S3_TOUCH_AFTER),
                p.duration(S3_JANITOR_INTERVAL), p.duration(S3_JANITOR_LEASE), p.duration(S3_BLOB_GRACE));
        if (!bucket.isEmpty() && mode == RetentionSettings.Mode.JANITOR) {
            if (cacheSizePercent > 0 || p.string(MAX_CACHE_SIZE).equalsIgnoreCase("unlimited")) {
                throw new SettingsException(S3_RETENTION + "=janitor keeps the bucket under " + MAX_CACHE_SIZE
                        + ", which must then be a size (e.g. 500g), not '" + p.string(MAX_CACHE_SIZE) + "'");
            }
            if (retention.janitorLease().compareTo(java.time.Duration.ofSeconds(3)) < 0) {
                throw SettingsException.invalid(S3_JANITOR_LEASE, p.string(S3_JANITOR_LEASE),
                        "a duration of at least 3s (the holder renews its lease every third of it)");
            }
        }
        return retention;
    }

    private static S3Settings s3(Parameters p, int cacheSizePercent) {
        String bucket = p.string(S3_BUCKET);
        if (!bucket.isEmpty() && !bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw SettingsException.invalid(S3_BUCKET, bucket, "an S3 bucket name (3-63 of a-z, 0-9, '.' and '-')");
        }
        String endpoint = p.baseUrl(S3_ENDPOINT);
        String region = p.string(S3_REGION);
        if (!bucket.isEmpty() && region.isEmpty()) {
            // Unset, the SDK would look for it at the EC2 metadata address, slowly, and fail elsewhere.
            throw new SettingsException(S3_REGION + " is required with " + S3_BUCKET
                    + " (e.g. us-east-1; any name the store accepts for MinIO, Ceph or S3Proxy)");
        }
        if (!region.matches("[a-z0-9-]{0,32}")) {
            throw SettingsException.invalid(S3_REGION, region, "a region name such as eu-west-1");
        }
        String prefix = p.string(S3_PREFIX);
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix = prefix + "/";
        }
        if (!prefix.matches("([A-Za-z0-9_-][A-Za-z0-9._-]*/)*") || prefix.length() > 200) {
            throw SettingsException.invalid(S3_PREFIX, prefix, "empty, or names of A-Za-z0-9 . _ - (not starting with .) separated by /");
        }
        return new S3Settings(bucket, endpoint, region, prefix, p.bool(S3_PATH_STYLE), p.size(LOCAL_CACHE_SIZE),
                retention(p, bucket, cacheSizePercent));

    }

    private static ScrubSettings scrub(Parameters p) {
        String rate = p.string(SCRUB_BYTES_PER_SECOND);
        long bytesPerSecond = rate.equals("0") ? 0 : p.size(SCRUB_BYTES_PER_SECOND);
        return new ScrubSettings(bytesPerSecond, p.positiveInt(SCRUB_INTERVAL_SECONDS));
    }

    private static ToolchainSettings toolchains(Parameters p) {
        List<ToolchainSettings.NodeNpm> pairs = new java.util.ArrayList<>();
        for (String pair : p.list(NPM_VERSIONS)) {
            String[] parts = pair.split(":", -1);
            if (parts.length != 2 || !VersionSyntax.isValid(parts[0].strip()) || !VersionSyntax.isValid(parts[1].strip())) {
                throw SettingsException.invalid(NPM_VERSIONS, p.string(NPM_VERSIONS),
                        "comma-separated node:npm version pairs, e.g. 14.20.0:6.14.13,16.15.0:8.5.0");
            }
            pairs.add(new ToolchainSettings.NodeNpm(parts[0].strip(), parts[1].strip()));
        }
        List<String> php = p.list(COMPOSER_VERSIONS);
        if (!php.stream().allMatch(VersionSyntax::isValid)) {
            throw SettingsException.invalid(COMPOSER_VERSIONS, p.string(COMPOSER_VERSIONS),
                    "comma-separated PHP versions, e.g. 8.1,8.2");
        }
        String command = p.string(CONTAINER_COMMAND);
        String program = command.substring(command.lastIndexOf('/') + 1);
        if (!program.equals("docker") && !program.equals("podman")) {
            throw SettingsException.invalid(CONTAINER_COMMAND, command, "docker or podman, or a path to either");
        }
        return new ToolchainSettings(pairs, php, p.bool(TOOLCHAINS_PROVISION),
                new ToolchainSettings.ContainerSettings(p.bool(CONTAINER_ENABLED), command,
                        p.imageTemplate(CONTAINER_IMAGE_NPM, "{node}"), p.imageTemplate(CONTAINER_IMAGE_COMPOSER, "{php}"),
                        p.words(CONTAINER_EXTRA_ARGS)), p.size(PACKAGE_CACHE_MAX_SIZE));
    }

    /** For the start-up log: the bound on the cache's size and where it comes from. */
    public String describeCacheBound() {
        if (maxCacheSize == UNBOUNDED) {
            return "cache size unlimited (" + MAX_CACHE_SIZE + "=unlimited)";
        }
        return "cache size bounded at " + maxCacheSize + " bytes"
                + (maxCacheSizePercent > 0 ? " (" + maxCacheSizePercent + "% of the filesystem holding the storage; "
                        + "set " + MAX_CACHE_SIZE + ", or --max-cache-size standalone, to change it)" : "");
    }

    /** Never prints key material. */
    @Override
    public String toString() {
        return "Settings[storageDir=" + storageDir + ", maxArtifactSize=" + maxArtifactSize + ", maxRequestSize="
                + maxRequestSize + ", public=" + publicAccess + ", apiKeysFile=" + apiKeysFile + ", apiKeys="
                + apiKeys.size() + " given, anonymousRead=" + anonymousRead + ", maxCacheSize=" + maxCacheSize
                + ", maxCacheSizeHard=" + maxCacheSizeHard + ", deps=" + deps + ", toolchains=" + toolchains + ", s3=" + s3 + ", scrub=" + scrub + "]";
    }

    /** Whether any way of access control is given: public, a key file or a key list. */
    public static boolean accessControlGiven(Map<String, String> params) {
        return params.containsKey(PUBLIC) || !params.getOrDefault(API_KEYS_FILE, "").isBlank()
                || !params.getOrDefault(API_KEYS, "").isBlank();
    }

    /** Convenience for tests and the launcher: settings from a plain map. */
    public static Settings from(Map<String, String> params) {
        return from(params.keySet(), params::get);
    }
}
