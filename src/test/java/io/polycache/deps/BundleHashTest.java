package io.polycache.deps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.polycache.store.Sha256;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleHashTest {
    @TempDir
    Path tmp;

    private InstallRequest npmRequest(Path staging, Map<String, String> files, List<String> args) throws IOException {
        return npmRequest(staging, files, args, null);
    }

    private InstallRequest npmRequest(Path staging, Map<String, String> files, List<String> args,
            Map<String, String> platform) throws IOException {
        Files.createDirectories(staging);
        RequestDraft draft = new RequestDraft(staging);
        draft.manager("npm");
        draft.versions(Map.of("npm", platform == null ? "6.14.13" : "10.3.0", "node", "14.20.0"));
        draft.customArgs(args);
        if (platform != null) {
            draft.platform(platform);
        }
        for (Map.Entry<String, String> file : files.entrySet()) {
            try (OutputStream out = draft.newFile(file.getKey())) {
                out.write(file.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        return draft.validate();
    }

    private static Map<String, String> vectorFiles() {
        Map<String, String> files = new LinkedHashMap<>();
        // Uploaded in the "wrong" order: the hash sorts by name.
        files.put("package.json", "{\"name\": \"test-app\", \"version\": \"1.0.0\"}\n");
        files.put("package-lock.json", "{\"lockfileVersion\": 2}\n");
        return files;
    }

    @Test
    void matchesTheDepCacheProxyTestVector() throws IOException {
        InstallRequest request = npmRequest(tmp.resolve("a"), vectorFiles(), List.of());
        assertEquals("69ed53dd73d4c1e45c7941bdc1926cfda9ce7bad8cd6d90a8932ec56d1695639",
                BundleHash.of(request).value());
    }

    @Test
    void customArgsAreAppendedAfterTheFiles() throws IOException {
        InstallRequest plain = npmRequest(tmp.resolve("a"), vectorFiles(), List.of());
        InstallRequest omitDev = npmRequest(tmp.resolve("b"), vectorFiles(), List.of("--omit=dev"));
        InstallRequest both = npmRequest(tmp.resolve("c"), vectorFiles(), List.of("--omit=dev", "--legacy-peer-deps"));
        assertNotEquals(BundleHash.of(plain), BundleHash.of(omitDev));
        assertEquals(expected("--omit=dev --legacy-peer-deps"), BundleHash.of(both).value());
    }

    @Test
    void aPlatformIsAppendedLastAndOnlyWhenGiven() throws IOException {
        Map<String, String> arm = Map.of("os", "linux", "cpu", "arm64", "libc", "glibc");
        InstallRequest withArgs = npmRequest(tmp.resolve("a"), vectorFiles(), List.of("--omit=dev"), arm);
        assertEquals(expected("10.3.0", "--omit=dev", "linux-arm64-glibc"), BundleHash.of(withArgs).value());
        InstallRequest mac = npmRequest(tmp.resolve("b"), vectorFiles(), List.of(), Map.of("os", "darwin", "cpu", "arm64"));
        assertEquals(expected("10.3.0", null, "darwin-arm64"), BundleHash.of(mac).value());
        InstallRequest x64 = npmRequest(tmp.resolve("c"), vectorFiles(), List.of(), Map.of("os", "linux", "cpu", "x64", "libc", "glibc"));
        InstallRequest musl = npmRequest(tmp.resolve("d"), vectorFiles(), List.of(), Map.of("os", "linux", "cpu", "x64", "libc", "musl"));
        assertNotEquals(BundleHash.of(x64), BundleHash.of(musl));
    }

    /** The README's second test vector ("The bundle hash, byte for byte"), computed there with sh. */
    @Test
    void matchesTheReadmesPlatformVector() throws IOException {
        Path staging = Files.createDirectories(tmp.resolve("readme"));
        RequestDraft draft = new RequestDraft(staging);
        draft.manager("npm");
        draft.versions(Map.of("node", "20.11.1", "npm", "10.3.0"));
        draft.customArgs(List.of("--omit=dev"));
        draft.platform(Map.of("os", "linux", "cpu", "arm64", "libc", "musl"));
        for (Map.Entry<String, String> file : vectorFiles().entrySet()) {
            try (OutputStream out = draft.newFile(file.getKey())) {
                out.write(file.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        assertEquals("a26f9a3e046d7ce35f4c8a5e1d7dad9f650031d9479ec8e1b5d68fcd061018ea",
                BundleHash.of(draft.validate()).value());
    }

    /** The README's pnpm vector, computed there with sh: pnpm's version follows node's, files sorted by name. */
    @Test
    void matchesTheReadmesPnpmVector() throws IOException {
        Path staging = Files.createDirectories(tmp.resolve("pnpm"));
        RequestDraft draft = new RequestDraft(staging);
        draft.manager("pnpm");
        draft.versions(Map.of("pnpm", "9.15.9", "node", "20.11.1"));
        draft.customArgs(List.of("--prod"));
        Map<String, String> files = new LinkedHashMap<>();
        files.put("pnpm-lock.yaml", "lockfileVersion: '9.0'\n");
        files.put("package.json", "{\"name\": \"test-app\", \"version\": \"1.0.0\"}\n");
        for (Map.Entry<String, String> file : files.entrySet()) {
            try (OutputStream out = draft.newFile(file.getKey())) {
                out.write(file.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        assertEquals("bf7d06ce43e93c56818ff7324e4d64237cf7f06223f3e8e8608ecbc94200b52f",
                BundleHash.of(draft.validate()).value());
    }

    @Test
    void aComposerBundleIsTheSameForEveryPlatform() throws IOException {
        Sha256 without = BundleHash.of(composerRequest(tmp.resolve("a"), null));
        Sha256 with = BundleHash.of(composerRequest(tmp.resolve("b"), Map.of("os", "darwin", "cpu", "arm64")));
        assertEquals(without, with);
    }

    private InstallRequest composerRequest(Path staging, Map<String, String> platform) throws IOException {
        Files.createDirectories(staging);
        RequestDraft draft = new RequestDraft(staging);
        draft.manager("composer");
        draft.versions(Map.of("php", "8.2"));
        if (platform != null) {
            draft.platform(platform);
        }
        try (OutputStream out = draft.newFile("composer.json")) {
            out.write("{}".getBytes(StandardCharsets.UTF_8));
        }
        return draft.validate();
    }

    private static String expected(String args) {
        return expected("6.14.13", args, null);
    }

    /** The algorithm written out once more, independently. */
    private static String expected(String npm, String args, String platform) {
        StringBuilder text = new StringBuilder("npm\0node:14.20.0\0npm:" + npm + "\0");
        text.append("package-lock.json\0{\"lockfileVersion\": 2}\n\0");
        text.append("package.json\0{\"name\": \"test-app\", \"version\": \"1.0.0\"}\n\0");
        if (args != null) {
            text.append("args:").append(args).append('\0');
        }
        if (platform != null) {
            text.append("platform:").append(platform).append('\0');
        }
        java.security.MessageDigest digest = io.polycache.store.Sha256.newDigest();
        return java.util.HexFormat.of().formatHex(digest.digest(text.toString().getBytes(StandardCharsets.UTF_8)));
    }
}
