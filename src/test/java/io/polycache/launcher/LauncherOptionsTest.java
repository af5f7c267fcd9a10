package io.polycache.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class LauncherOptionsTest {
    @Test
    void defaultsAreThePolykitServers() throws UsageException {
        LauncherOptions options = LauncherOptions.parse(List.of());
        assertEquals("127.0.0.1", options.bind());
        assertEquals(8080, options.port());
        assertEquals(Level.INFO, options.logLevel());
        assertEquals(Map.of(), options.parameters());
    }

    @Test
    void flagsBecomeContextParameters() throws UsageException {
        LauncherOptions options = LauncherOptions.parse(List.of("--storage-dir", "/srv/cache", "--max-size=2g",
                "--polycache.maxRequestSize=1m", "--bind", "0.0.0.0", "--port", "9000", "--log-level", "debug"));
        assertEquals(Map.of("polycache.storageDir", "/srv/cache", "polycache.maxArtifactSize", "2g",
                "polycache.maxRequestSize", "1m"), options.parameters());
        assertEquals("0.0.0.0", options.bind());
        assertEquals(9000, options.port());
        assertEquals(Level.FINE, options.logLevel());
    }

    @Test
    void sizeFlagsBecomeTheirParametersAndTheOldArtifactSizeNameStillWorks() throws UsageException {
        assertEquals(Map.of("polycache.maxCacheSize", "50g", "polycache.maxArtifactSize", "2g"),
                LauncherOptions.parse(List.of("--max-cache-size", "50g", "--max-artifact-size=2g")).parameters());
        assertEquals(Map.of("polycache.maxArtifactSize", "3g"), LauncherOptions.parse(List.of("--max-size", "3g")).parameters());
    }

    @Test
    void versionIsASwitch() throws UsageException {
        assertTrue(LauncherOptions.parse(List.of("--version")).version());
        assertEquals(false, LauncherOptions.parse(List.of()).version());
    }

    @Test
    void toolchainFlagsBecomeTheirParameters() throws UsageException {
        LauncherOptions options = LauncherOptions.parse(List.of("--supported-versions-node", "14.20.0:6.14.13,16.15.0:8.5.0",
                "--supported-versions-php=8.1,8.2", "--use-container-on-version-mismatch"));
        assertEquals(Map.of("polycache.npm.versions", "14.20.0:6.14.13,16.15.0:8.5.0",
                "polycache.composer.versions", "8.1,8.2", "polycache.container.enabled", "true"), options.parameters());
    }

    @Test
    void theDepCacheProxySpellingOfTheContainerSwitchWorksToo() throws UsageException {
        assertEquals(Map.of("polycache.container.enabled", "true"),
                LauncherOptions.parse(List.of("--use-docker-on-version-mismatch")).parameters());
    }

    @Test
    void theHelpNamesTheToolchainFlags() {
        for (String flag : List.of("--supported-versions-node", "--supported-versions-php",
                "--use-container-on-version-mismatch", "--use-docker-on-version-mismatch")) {
            assertTrue(LauncherOptions.USAGE.contains(flag), flag);
        }
    }

    @Test
    void anUnknownFlagIsNamed() {
        UsageException e = assertThrows(UsageException.class, () -> LauncherOptions.parse(List.of("--colour")));
        assertEquals("unknown option --colour", e.getMessage());
    }

    @Test
    void aBadPortIsNamed() {
        UsageException e = assertThrows(UsageException.class, () -> LauncherOptions.parse(List.of("--port", "http")));
        assertEquals("invalid value for --port: 'http' (expected 0 to 65535)", e.getMessage());
    }

    @Test
    void aMissingValueIsNamed() {
        UsageException e = assertThrows(UsageException.class, () -> LauncherOptions.parse(List.of("--storage-dir")));
        assertEquals("option --storage-dir needs a value", e.getMessage());
    }

    @Test
    void aBadLogLevelIsNamed() {
        UsageException e = assertThrows(UsageException.class, () -> LauncherOptions.parse(List.of("--log-level=loud")));
        assertTrue(e.getMessage().startsWith("invalid value for --log-level: 'loud'"));
    }

    @Test
    void helpIsRecognised() throws UsageException {
        assertTrue(LauncherOptions.parse(List.of("--help")).help());
    }
}
