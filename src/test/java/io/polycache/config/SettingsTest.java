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
    void dependencyDefaults() {
        DependencySettings deps = Settings.from(Map.of(Settings.PUBLIC, "true")).deps();
        assertEquals(new DependencySettings("", 2, 16, 600), deps);
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
