package io.polycache.deps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestDraftTest {
    @TempDir
    Path tmp;

    private RequestDraft draft(String manager, Map<String, String> versions, String... files) throws IOException {
        Path staging = Files.createTempDirectory(tmp, "staging-");
        RequestDraft draft = new RequestDraft(staging);
        draft.manager(manager);
        draft.versions(versions);
        for (String file : files) {
            try (OutputStream out = draft.newFile(file)) {
                out.write('{');
            }
        }
        return draft;
    }

    private static String refusal(RequestDraft draft) {
        return assertThrows(InvalidRequestException.class, draft::validate).getMessage();
    }

    private static final Map<String, String> NPM_VERSIONS = Map.of("node", "20.11.1", "npm", "10.2.4");

    @Test
    void aCompleteNpmRequestIsValid() throws IOException {
        InstallRequest request = draft("npm", NPM_VERSIONS, "package.json", "package-lock.json").validate();
        assertEquals(Manager.NPM, request.manager());
        assertEquals(List.of("package-lock.json", "package.json"), List.copyOf(request.files().keySet()));
        assertEquals("20.11.1_10.2.4", request.versions().fileNamePart());
    }

    @Test
    void aComposerRequestNeedsOnlyComposerJsonAndPhp() throws IOException {
        InstallRequest request = draft("composer", Map.of("php", "8.2.0"), "composer.json").validate();
        assertFalse(request.hasLockfile());
        assertEquals("8.2.0", request.versions().fileNamePart());
    }

    @Test
    void eachRefusalSaysWhatIsWrong() throws IOException {
        assertEquals("Missing field 'manager' (expected npm, pnpm, yarn or composer)", refusal(draft(null, NPM_VERSIONS, "package.json")));
        assertEquals("Unsupported manager 'pip' (expected npm, pnpm, yarn or composer)", refusal(draft("pip", NPM_VERSIONS, "package.json")));
        assertEquals("Missing file 'package.json' for npm", refusal(draft("npm", NPM_VERSIONS, "package-lock.json")));
        assertEquals("Unexpected file 'composer.json' for npm (expected package.json and optionally package-lock.json)",
                refusal(draft("npm", NPM_VERSIONS, "package.json", "composer.json")));
        assertEquals("Missing field 'versions' (expected node and npm for npm)", refusal(draft("npm", null, "package.json")));
        assertEquals("Missing version 'npm' for npm", refusal(draft("npm", Map.of("node", "20.1.0"), "package.json")));
        assertEquals("Unexpected version 'php' for npm (expected node and npm)",
                refusal(draft("npm", Map.of("node", "20.1.0", "npm", "10.0.0", "php", "8.2"), "package.json")));
        assertEquals("Missing version 'php' for composer", refusal(draft("composer", Map.of(), "composer.json")));
    }

    @Test
    void onlyManifestAndLockfileNamesAreAcceptedAtAll() throws IOException {
        RequestDraft draft = draft("npm", NPM_VERSIONS);
        for (String name : List.of(".npmrc", "../package.json", "auth.json", "package.json/", "")) {
            assertThrows(InvalidRequestException.class, () -> draft.newFile(name), name);
        }
        draft.newFile("package.json").close();
        assertEquals("Duplicate file 'package.json'",
                assertThrows(InvalidRequestException.class, () -> draft.newFile("package.json")).getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"14", "14.20.0", "8.2", "20.0.0-rc.1", "8.3.0-RC1", "1.2.3.4"})
    void versionsAreDottedNumbersWithAnOptionalPreRelease(String version) {
        assertEquals(version, Versions.validate(Manager.COMPOSER, Map.of("php", version)).byName().get("php"));
    }

    @Test
    void aVersionAsNodePrintsItWithALeadingVIsTheSameVersion() {
        assertEquals(Map.of("node", "20.11.1", "npm", "10.2.4"),
                Versions.validate(Manager.NPM, Map.of("node", "v20.11.1", "npm", "10.2.4")).byName());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "v", "vv14.20.0", "V14.20.0", "14.20.0 ", "1..2", "1.2.3-", "1.2.3-rc_1", "../1", "1.2/3",
            "1.2.3.4.5", "latest", "^1.2.3", "1.2.3+build"})
    void anythingElseIsRefusedNamingTheVersion(String version) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> Versions.validate(Manager.COMPOSER, Map.of("php", version)));
        assertEquals("Invalid version for 'php': '" + version
                + "' (expected dotted numbers with an optional pre-release suffix, e.g. 14.20.0 or 8.2.0-rc1)", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--registry=https://evil.example", "--ignore-scripts=false", "--foreground-scripts",
            "--prefix=/", "--omit=dev;rm", "--script-shell=/bin/sh", "--no-dev"})
    void customArgsOutsideTheAllowListAreRefused(String arg) throws IOException {
        RequestDraft draft = draft("npm", NPM_VERSIONS, "package.json");
        draft.customArgs(List.of("--omit=dev", arg));
        assertEquals("Custom argument '" + arg + "' is not allowed for npm (allowed: --legacy-peer-deps, --no-optional, "
                + "--omit=dev, --omit=optional, --omit=peer, --production, --strict-peer-deps)", refusal(draft));
    }

    @Test
    void composerHasItsOwnAllowList() throws IOException {
        RequestDraft draft = draft("composer", Map.of("php", "8.2.0"), "composer.json");
        draft.customArgs(List.of("--no-dev", "--ignore-platform-reqs"));
        assertEquals(List.of("--no-dev", "--ignore-platform-reqs"), draft.validate().customArgs());
        draft.customArgs(List.of("--omit=dev"));
        assertThrows(InvalidRequestException.class, draft::validate);
    }

    @Test
    void closingRemovesTheStagedFiles() throws IOException {
        Path staging = Files.createTempDirectory(tmp, "staging-");
        try (RequestDraft draft = new RequestDraft(staging)) {
            draft.newFile("package.json").close();
        }
        assertFalse(Files.exists(staging));
    }

    private RequestDraft yarnDraft(String yarn, String lockfile) throws IOException {
        RequestDraft draft = draft("yarn", Map.of("node", "20.11.1", "yarn", yarn), "package.json");
        try (OutputStream out = draft.newFile("yarn.lock")) {
            out.write(lockfile.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return draft;
    }

    static final String CLASSIC_LOCK = "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\nms@2.1.3:\n";
    static final String BERRY_LOCK = "# This file is generated by running \"yarn install\" inside your project.\n\n__metadata:\n  version: 8\n";

    @Test
    void yarnsVersionAndLockfileMustBeTheSameFlavour() throws IOException {
        assertEquals(Manager.YARN, yarnDraft("1.22.22", CLASSIC_LOCK).validate().manager());
        assertEquals(Manager.YARN, yarnDraft("4.5.0", BERRY_LOCK).validate().manager());
        assertEquals("yarn.lock is a Yarn 2+ (Berry) lockfile but the request names yarn 1.22.22",
                refusal(yarnDraft("1.22.22", BERRY_LOCK)));
        assertEquals("yarn.lock is a Yarn classic (v1) lockfile but the request names yarn 4.5.0",
                refusal(yarnDraft("4.5.0", CLASSIC_LOCK)));
    }

    @Test
    void berryTakesNoCustomArgsAndPnpmOrYarnNoPlatform() throws IOException {
        RequestDraft berry = yarnDraft("4.5.0", BERRY_LOCK);
        berry.customArgs(List.of("--production"));
        assertEquals("Custom argument '--production' is not allowed for yarn 4.5.0 (Yarn 2 and later take no custom"
                + " arguments here)", refusal(berry));
        RequestDraft classic = yarnDraft("1.22.22", CLASSIC_LOCK);
        classic.customArgs(List.of("--production"));
        assertEquals(List.of("--production"), classic.validate().customArgs());

        RequestDraft pnpm = draft("pnpm", Map.of("node", "20.11.1", "pnpm", "9.15.9"), "package.json", "pnpm-lock.yaml");
        assertEquals(Manager.PNPM, pnpm.validate().manager());
        pnpm.platform(Map.of("os", "linux", "cpu", "x64", "libc", "glibc"));
        assertEquals("A platform is not supported for pnpm (yet): omit it, and the install is for the server's own platform",
                refusal(pnpm));
    }
}
