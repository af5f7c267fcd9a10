package io.polycache.deps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class YarnConfigTest {
    @TempDir
    Path tmp;

    private YarnConfig read(String text) throws IOException {
        Path file = tmp.resolve("yarnrc-" + System.nanoTime());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return YarnConfig.read(file);
    }

    private String refusal(String text) {
        return assertThrows(InvalidRequestException.class, () -> read(text)).getMessage();
    }

    @Test
    void withoutNodeLinkerTheFileMeansPlugNPlayAsInYarn() throws IOException {
        YarnConfig config = read("# a project's settings\nyarnPath: .yarn/releases/yarn-4.18.1.cjs\n\nenableTelemetry: false\n");
        assertTrue(config.plugNPlay());
        assertEquals(".yarn", config.root());
        assertEquals(Map.of(), config.settings(), "both settings are accepted and left out");
    }

    @Test
    void nodeModulesIsTheOtherLinker() throws IOException {
        YarnConfig config = read("nodeLinker: \"node-modules\"\nnmHoistingLimits: workspaces # keep\n");
        assertFalse(config.plugNPlay());
        assertEquals("node_modules", config.root());
        assertEquals(Map.of("nodeLinker", "node-modules", "nmHoistingLimits", "workspaces"), config.settings());
        assertFalse(YarnConfig.ABSENT.plugNPlay(), "no file: node_modules, as before");
    }

    @Test
    void theInstallReadsOnlyTheSettingsThatChangeIt() throws IOException {
        YarnConfig config = read("yarnPath: .yarn/releases/yarn.cjs\nnodeLinker: pnp\npnpMode: loose\ncompressionLevel: 0\n");
        Path written = tmp.resolve(".yarnrc.yml");
        config.write(written);
        List<String> lines = Files.readAllLines(written).stream().filter(l -> !l.startsWith("#")).toList();
        assertEquals(List.of("compressionLevel: 0", "nodeLinker: pnp", "pnpMode: loose"), lines);
    }

    @ParameterizedTest
    @ValueSource(strings = {"npmRegistryServer: \"https://registry.example\"", "npmAuthToken: abc",
            "httpsProxy: http://proxy:8080", "plugins:", "caFilePath: /etc/ca.pem", "unsafeHttpWhitelist:",
            "cacheFolder: ./cache", "pnpUnpluggedFolder: ./unplugged", "injectEnvironmentFiles:"})
    void networkCredentialPluginAndFolderSettingsAreRefusedByName(String line) {
        String name = line.substring(0, line.indexOf(':'));
        String message = refusal("nodeLinker: pnp\n" + line + "\n  - something\n");
        assertTrue(message.startsWith("Setting '" + name + "' in .yarnrc.yml is not accepted: registry, network,"), message);
    }

    @Test
    void everyOtherRefusalSaysWhatIsWrong() {
        assertTrue(refusal("someFutureSetting: true\n").startsWith(
                "Setting 'someFutureSetting' in .yarnrc.yml is not accepted (accepted: checksumBehavior, compressionLevel,"));
        assertEquals("Setting 'nodeLinker: pnpm' in .yarnrc.yml is not supported (accepted: node-modules, pnp)",
                refusal("nodeLinker: pnpm\n"));
        assertEquals("Setting 'enableScripts: true' in .yarnrc.yml is not supported (accepted: false): install scripts never run",
                refusal("enableScripts: true\n"));
        assertEquals("Setting 'checksumBehavior: ignore' in .yarnrc.yml is not supported (accepted: throw)",
                refusal("checksumBehavior: ignore\n"));
        assertEquals("Setting 'pnpMode' in .yarnrc.yml must be a single value on its line (nested values are not accepted)",
                refusal("pnpMode:\n  strict\n"));
        assertEquals("Setting 'nodeLinker' appears twice in .yarnrc.yml", refusal("nodeLinker: pnp\nnodeLinker: pnp\n"));
        assertEquals(".yarnrc.yml line 1: only top-level 'name: value' settings are accepted, not '- pnp'", refusal("- pnp\n"));
        assertEquals("Setting 'nodeLinker' in .yarnrc.yml has a value that is not accepted: &a pnp", refusal("nodeLinker: &a pnp\n"));
    }

    private static final Map<String, String> BERRY = Map.of("node", "20.11.1", "yarn", "4.18.1");

    private RequestDraft draft(Map<String, String> versions, Map<String, String> files) throws IOException {
        RequestDraft draft = new RequestDraft(Files.createTempDirectory(tmp, "staging-"));
        draft.manager("yarn");
        draft.versions(versions);
        for (Map.Entry<String, String> file : files.entrySet()) {
            try (OutputStream out = draft.newFile(file.getKey())) {
                out.write(file.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        return draft;
    }

    @Test
    void aBerryRequestCarriesItsLinkerAndItsOutput() throws IOException {
        InstallRequest pnp = draft(BERRY, Map.of("package.json", "{}", ".yarnrc.yml", "nodeLinker: pnp\n")).validate();
        assertTrue(pnp.plugNPlay());
        assertEquals(".yarn", pnp.outputRoot());
        assertEquals(List.of(".pnp.cjs", ".pnp.js", ".pnp.loader.mjs", ".pnp.data.json", "yarn.lock"), pnp.outputFiles());
        assertEquals(List.of(".yarnrc.yml", "package.json"), List.copyOf(pnp.files().keySet()), "hashed in name order");

        InstallRequest plain = draft(BERRY, Map.of("package.json", "{}")).validate();
        assertFalse(plain.plugNPlay());
        assertEquals("node_modules", plain.outputRoot());

        InstallRequest classic = draft(Map.of("node", "20.11.1", "yarn", "1.22.22"), Map.of("package.json", "{}")).validate();
        assertNull(classic.yarn());
        assertEquals("node_modules", classic.outputRoot());
    }

    @Test
    void yarnOneGetsNoYarnrcYml() throws IOException {
        RequestDraft draft = draft(Map.of("node", "20.11.1", "yarn", "1.22.22"),
                Map.of("package.json", "{}", ".yarnrc.yml", "nodeLinker: pnp\n"));
        assertEquals(".yarnrc.yml is Yarn 2+ configuration but the request names yarn 1.22.22 (Yarn 1 reads .yarnrc, which is not accepted)",
                assertThrows(InvalidRequestException.class, draft::validate).getMessage());
    }

    @Test
    void otherManagersGetNoYarnrcYml() throws IOException {
        RequestDraft draft = new RequestDraft(Files.createTempDirectory(tmp, "staging-"));
        draft.manager("npm");
        draft.versions(Map.of("node", "20.11.1", "npm", "10.2.4"));
        for (String name : List.of("package.json", ".yarnrc.yml")) {
            try (OutputStream out = draft.newFile(name)) {
                out.write('x');
            }
        }
        assertEquals("Unexpected file '.yarnrc.yml' for npm (expected package.json and optionally package-lock.json)",
                assertThrows(InvalidRequestException.class, draft::validate).getMessage());
    }
}
