package io.polycache.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsTest {
    @Test
    void defaultsMatchThePolykitServer() {
        Settings settings = Settings.from(Map.of(Settings.PUBLIC, "true"));
        assertEquals(Path.of("cache").toAbsolutePath(), settings.storageDir());
        assertEquals(1073741824L, settings.maxArtifactSize());
        assertEquals(32L << 20, settings.maxRequestSize());
    }

    @Test
    void theCacheIsBoundedByDefaultToAQuarterOfItsFilesystem(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Settings settings = Settings.from(Map.of(Settings.PUBLIC, "true", Settings.STORAGE_DIR, dir.resolve("new").toString()));
        long total = Files.getFileStore(dir).getTotalSpace();
        assertEquals(total / 100 * 25, settings.maxCacheSize());
        assertEquals(25, settings.maxCacheSizePercent());
        assertEquals(settings.maxCacheSize() + settings.maxCacheSize() / 20, settings.maxCacheSizeHard());
        assertEquals("cache size bounded at " + settings.maxCacheSize() + " bytes (25% of the filesystem holding the "
                + "storage; set polycache.maxCacheSize, or --max-cache-size standalone, to change it)",
                settings.describeCacheBound());
    }

    @Test
    void theCacheSizeTakesASizeAPercentageOrUnlimited(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        assertEquals(200L << 30, Settings.from(Map.of(Settings.PUBLIC, "true", Settings.MAX_CACHE_SIZE, "200g")).maxCacheSize());
        assertEquals(Files.getFileStore(dir).getTotalSpace() / 100 * 60, Settings.from(Map.of(Settings.PUBLIC, "true",
                Settings.STORAGE_DIR, dir.toString(), Settings.MAX_CACHE_SIZE, "60%")).maxCacheSize());
        Settings unlimited = Settings.from(Map.of(Settings.PUBLIC, "true", Settings.MAX_CACHE_SIZE, "unlimited"));
        assertEquals(Settings.UNBOUNDED, unlimited.maxCacheSize());
        assertEquals(Settings.UNBOUNDED, unlimited.maxCacheSizeHard());
        assertEquals("cache size unlimited (polycache.maxCacheSize=unlimited)", unlimited.describeCacheBound());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0%", "101%", "%", "x%", "lots", "-1"})
    void aBadCacheSizeIsRefusedNamingTheForms(String value) {
        SettingsException e = assertThrows(SettingsException.class,
                () -> Settings.from(Map.of(Settings.PUBLIC, "true", Settings.MAX_CACHE_SIZE, value)));
        assertEquals("Invalid value for polycache.maxCacheSize: '" + value
                + "' (expected a size, a percentage from 1% to 100%, or unlimited)", e.getMessage());
    }

    @Test
    void noBucketMeansASingleNode() {
        S3Settings s3 = Settings.from(Map.of(Settings.PUBLIC, "true")).s3();
        assertEquals(new S3Settings("", "", "", "polycache/", false, 10L << 30), s3);
        assertEquals(false, s3.enabled());
    }

    @Test
    void aBucketNeedsARegionAndThePrefixEndsWithASlash() {
        SettingsException noRegion = assertThrows(SettingsException.class,
                () -> Settings.from(Map.of(Settings.PUBLIC, "true", Settings.S3_BUCKET, "cache-bucket")));
        assertEquals(true, noRegion.getMessage().contains(Settings.S3_REGION), noRegion.getMessage());
        S3Settings s3 = Settings.from(Map.of(Settings.PUBLIC, "true", Settings.S3_BUCKET, "cache-bucket",
                Settings.S3_REGION, "eu-west-1", Settings.S3_ENDPOINT, "http://127.0.0.1:9000/",
                Settings.S3_PREFIX, "teams/ci", Settings.S3_PATH_STYLE, "true", Settings.LOCAL_CACHE_SIZE, "20g")).s3();
        assertEquals(new S3Settings("cache-bucket", "http://127.0.0.1:9000", "eu-west-1", "teams/ci/", true, 20L << 30), s3);
        assertThrows(SettingsException.class, () -> Settings.from(Map.of(Settings.PUBLIC, "true",
                Settings.S3_BUCKET, "Bad_Bucket", Settings.S3_REGION, "us-east-1")));
        assertThrows(SettingsException.class, () -> Settings.from(Map.of(Settings.PUBLIC, "true",
                Settings.S3_BUCKET, "b12", Settings.S3_REGION, "us-east-1", Settings.S3_PREFIX, "../x")));
    }

    @Test
    void durationsAreWholeNumbersOfSecondsMinutesHoursOrDays() {
        assertEquals(java.time.Duration.ofSeconds(30), Durations.parse("30s"));
        assertEquals(java.time.Duration.ofMinutes(5), Durations.parse("5m"));
        assertEquals(java.time.Duration.ofHours(1), Durations.parse(" 1H "));
        assertEquals(java.time.Duration.ofDays(1), Durations.parse("1d"));
        assertEquals(java.time.Duration.ofSeconds(1), Durations.parse("1s"));
        for (String bad : new String[] {"", "0s", "s", "1", "-1s", "1.5h", "1w", "1 d", "99999999d", "1ms"}) {
            assertEquals(null, Durations.parse(bad), bad);
        }
        for (String text : new String[] {"1s", "90s", "5m", "1h", "36h", "1d", "30d"}) {
            assertEquals(text, Durations.format(Durations.parse(text)));
        }
    }

    @Test
    void retentionDefaultsAndSettings() {
        S3Settings defaults = Settings.from(Map.of(Settings.PUBLIC, "true", Settings.S3_BUCKET, "cache-bucket",
                Settings.S3_REGION, "eu-west-1")).s3();
        assertEquals(RetentionSettings.DEFAULT, defaults.retention());
        assertEquals(new RetentionSettings(RetentionSettings.Mode.LIFECYCLE, java.time.Duration.ofDays(1),
                java.time.Duration.ofMinutes(10), java.time.Duration.ofMinutes(5), java.time.Duration.ofDays(1)),
                defaults.retention());
        Settings janitor = Settings.from(Map.of(Settings.PUBLIC, "true", Settings.S3_BUCKET, "cache-bucket",
                Settings.S3_REGION, "eu-west-1", Settings.MAX_CACHE_SIZE, "4m", Settings.S3_RETENTION, "Janitor",
                Settings.S3_TOUCH_AFTER, "1s", Settings.S3_JANITOR_INTERVAL, "2s", Settings.S3_JANITOR_LEASE, "6s",
                Settings.S3_BLOB_GRACE, "30s"));
        assertEquals(new RetentionSettings(RetentionSettings.Mode.JANITOR, java.time.Duration.ofSeconds(1),
                java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(6), java.time.Duration.ofSeconds(30)),
                janitor.s3().retention());
        assertEquals(4L << 20, janitor.maxCacheSize());
        assertEquals((4L << 20) + (4L << 20) / 20, janitor.maxCacheSizeHard());

        SettingsException mode = assertThrows(SettingsException.class, () -> Settings.from(Map.of(Settings.PUBLIC,
                "true", Settings.S3_RETENTION, "lru")));
        assertEquals("Invalid value for polycache.s3.retention: 'lru' (expected lifecycle, janitor or none)",
                mode.getMessage());
        SettingsException duration = assertThrows(SettingsException.class, () -> Settings.from(Map.of(Settings.PUBLIC,
                "true", Settings.S3_TOUCH_AFTER, "1 day")));
        assertEquals(true, duration.getMessage().contains("polycache.s3.touchAfter"), duration.getMessage());
        assertEquals(true, duration.getMessage().contains("30s, 5m, 1h, 1d"), duration.getMessage());
        SettingsException share = assertThrows(SettingsException.class, () -> Settings.from(Map.of(Settings.PUBLIC,
                "true", Settings.S3_BUCKET, "cache-bucket", Settings.S3_REGION, "eu-west-1",
                Settings.S3_RETENTION, "janitor")));
        assertEquals(true, share.getMessage().contains("must then be a size"), share.getMessage());
    }

    @Test
    void scrubSettings() {
        assertEquals(new ScrubSettings(4L << 20, 86400), Settings.from(Map.of(Settings.PUBLIC, "true")).scrub());
        Settings off = Settings.from(Map.of(Settings.PUBLIC, "true", Settings.SCRUB_BYTES_PER_SECOND, "0"));
        assertEquals(false, off.scrub().enabled());
        Settings fast = Settings.from(Map.of(Settings.PUBLIC, "true", Settings.SCRUB_BYTES_PER_SECOND, "64m",
                Settings.SCRUB_INTERVAL_SECONDS, "60"));
        assertEquals(new ScrubSettings(64L << 20, 60), fast.scrub());
        assertThrows(SettingsException.class, () -> Settings.from(Map.of(Settings.PUBLIC, "true",
                Settings.SCRUB_BYTES_PER_SECOND, "fast")));
        assertThrows(SettingsException.class, () -> Settings.from(Map.of(Settings.PUBLIC, "true",
                Settings.SCRUB_INTERVAL_SECONDS, "0")));
    }

    @Test
    void dependencyDefaults() {
        DependencySettings deps = Settings.from(Map.of(Settings.PUBLIC, "true")).deps();
        assertEquals(new DependencySettings("", 2, 16, 600), deps);
    }

    @Test
    void toolchainDefaultsAllowAnyVersionAndNeitherProvisionNorUseContainers() {
        ToolchainSettings toolchains = Settings.from(Map.of(Settings.PUBLIC, "true")).toolchains();
        assertEquals(new ToolchainSettings(java.util.List.of(), java.util.List.of(), false,
                new ToolchainSettings.ContainerSettings(false, "docker", "node:{node}-alpine", "polycache/composer:php{php}",
                        java.util.List.of())), toolchains);
    }

    @Test
    void toolchainSettingsAreParsed() {
        ToolchainSettings toolchains = Settings.from(Map.of(Settings.PUBLIC, "true",
                Settings.NPM_VERSIONS, "14.20.0:6.14.13, 16.15.0:8.5.0", Settings.COMPOSER_VERSIONS, "8.1,8.2",
                Settings.TOOLCHAINS_PROVISION, "true", Settings.CONTAINER_ENABLED, "true",
                Settings.CONTAINER_COMMAND, "/usr/bin/podman", Settings.CONTAINER_IMAGE_NPM, "localhost/node:{node}-{npm}",
                Settings.CONTAINER_EXTRA_ARGS, " --runtime  /usr/sbin/runc --network=host ")).toolchains();
        assertEquals(java.util.List.of(new ToolchainSettings.NodeNpm("14.20.0", "6.14.13"),
                new ToolchainSettings.NodeNpm("16.15.0", "8.5.0")), toolchains.npmVersions());
        assertEquals(java.util.List.of("8.1", "8.2"), toolchains.phpVersions());
        assertEquals(true, toolchains.provision());
        assertEquals(new ToolchainSettings.ContainerSettings(true, "/usr/bin/podman", "localhost/node:{node}-{npm}",
                "polycache/composer:php{php}", java.util.List.of("--runtime", "/usr/sbin/runc", "--network=host")),
                toolchains.container());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "polycache.npm.versions|14.20.0|comma-separated node:npm version pairs, e.g. 14.20.0:6.14.13,16.15.0:8.5.0",
            "polycache.npm.versions|14.20.0:6.14.13:1|comma-separated node:npm version pairs, e.g. 14.20.0:6.14.13,16.15.0:8.5.0",
            "polycache.npm.versions|14.20.0:latest|comma-separated node:npm version pairs, e.g. 14.20.0:6.14.13,16.15.0:8.5.0",
            "polycache.composer.versions|8.1,eight|comma-separated PHP versions, e.g. 8.1,8.2",
            "polycache.container.command|sh|docker or podman, or a path to either",
            "polycache.container.image.npm|node:20-alpine|an image name containing {node}",
            "polycache.container.image.npm|node:{node} --privileged|an image name containing {node}",
            "polycache.container.image.composer|composer:2|an image name containing {php}"})
    void aBadToolchainSettingNamesTheParameterAndTheValue(String name, String value, String expected) {
        SettingsException e = assertThrows(SettingsException.class,
                () -> Settings.from(Map.of(Settings.PUBLIC, "true", name, value)));
        assertEquals("Invalid value for " + name + ": '" + value + "' (expected " + expected + ")", e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"https://cache.example.com/,https://cache.example.com",
            "http://10.0.0.5:8080/polycache,http://10.0.0.5:8080/polycache"})
    void baseUrlLosesItsTrailingSlash(String text, String expected) {
        assertEquals(expected, Settings.from(Map.of(Settings.PUBLIC, "true", Settings.BASE_URL, text)).deps().baseUrl());
    }

    @ParameterizedTest
    @ValueSource(strings = {"cache.example.com", "ftp://cache.example.com", "https://x/?q=1", "/polycache"})
    void aBaseUrlThatIsNotAnHttpUrlIsRefused(String text) {
        SettingsException e = assertThrows(SettingsException.class,
                () -> Settings.from(Map.of(Settings.PUBLIC, "true", Settings.BASE_URL, text)));
        assertEquals("Invalid value for polycache.baseUrl: '" + text
                + "' (expected an absolute http or https URL without query or fragment)", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "two"})
    void installConcurrencyMustBePositive(String text) {
        assertThrows(SettingsException.class, () -> Settings.from(Map.of(Settings.PUBLIC, "true", Settings.INSTALL_CONCURRENCY, text)));
    }

    @ParameterizedTest
    @CsvSource({"1073741824,1073741824", "512k,524288", "64m,67108864", "1g,1073741824", "2G,2147483648",
            "1GiB,1073741824", "10mb,10485760", " 7 ,7"})
    void sizesTakeBytesOrSuffixes(String text, long bytes) {
        assertEquals(bytes, Settings.from(Map.of(Settings.PUBLIC, "true", Settings.MAX_ARTIFACT_SIZE, text)).maxArtifactSize());
    }

    @ParameterizedTest
    @ValueSource(strings = {"12x", "-5", "0", "1.5g", "g", "99999999999999999999", "1e9"})
    void aBadSizeNamesTheParameterAndTheValue(String text) {
        SettingsException e = assertThrows(SettingsException.class,
                () -> Settings.from(Map.of(Settings.PUBLIC, "true", Settings.MAX_ARTIFACT_SIZE, text)));
        assertEquals("Invalid value for polycache.maxArtifactSize: '" + text.trim()
                + "' (expected a positive size in bytes, or with a k, m or g suffix)", e.getMessage());
    }

    @Test
    void anUnknownParameterIsRefused() {
        SettingsException e = assertThrows(SettingsException.class,
                () -> Settings.from(Map.of(Settings.PUBLIC, "true", "polycache.storgeDir", "/tmp/x")));
        assertEquals("Unknown parameter polycache.storgeDir", e.getMessage());
    }

    @Test
    void parametersOfOtherApplicationsAreIgnored() {
        Settings.from(Map.of(Settings.PUBLIC, "true", "org.example.other", "1"));
    }

    @Test
    void webXmlDeclaresEveryParameterWithTheSameDefault() throws Exception {
        String webXml = Files.readString(Path.of("src/main/webapp/WEB-INF/web.xml"));
        Matcher m = Pattern.compile("<param-name>(polycache\\.[^<]+)</param-name>\\s*<param-value>([^<]*)</param-value>")
                .matcher(webXml);
        Map<String, String> declared = new LinkedHashMap<>();
        while (m.find()) {
            declared.put(m.group(1), m.group(2));
        }
        assertEquals(Settings.DEFAULTS, declared);
    }

    @Test
    void noAccessControlAtAllIsRefused() {
        SettingsException e = assertThrows(SettingsException.class, () -> Settings.from(Map.of()));
        assertEquals("No access control configured: set polycache.public=true to let anyone read and write, "
                + "or give API keys with polycache.apiKeysFile or polycache.apiKeys", e.getMessage());
    }

    @Test
    void keysFromAListOrAFileAreEnough() {
        Settings listed = Settings.from(Map.of(Settings.API_KEYS, "one, two ro,"));
        assertEquals(java.util.List.of("one", "two ro"), listed.apiKeys());
        Settings filed = Settings.from(Map.of(Settings.API_KEYS_FILE, "keys.txt", Settings.ANONYMOUS_READ, "true"));
        assertEquals(Path.of("keys.txt").toAbsolutePath(), filed.apiKeysFile());
        assertEquals(true, filed.anonymousRead());
    }

    @Test
    void toStringHoldsNoKeys() {
        Settings settings = Settings.from(Map.of(Settings.API_KEYS, "s3cret-key"));
        assertEquals(false, settings.toString().contains("s3cret"), settings.toString());
    }
}
