package io.polycache.deps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunnerPlatformTest {
    @TempDir
    Path staging;

    @Test
    void linuxNeedsALibcAndOtherSystemsRefuseOne() {
        assertEquals(new RunnerPlatform("linux", "arm64", "musl"),
                RunnerPlatform.validate(Map.of("os", "linux", "cpu", "arm64", "libc", "musl")));
        assertEquals(new RunnerPlatform("darwin", "arm64", null), RunnerPlatform.validate(Map.of("os", "darwin", "cpu", "arm64")));
        assertRefused(Map.of("os", "linux", "cpu", "x64"), "Missing platform member 'libc' (one of glibc, musl)");
        assertRefused(Map.of("os", "win32", "cpu", "x64", "libc", "glibc"), "Platform member 'libc' applies to linux only (got os 'win32')");
    }

    @Test
    void onlyNpmsVocabularyIsAccepted() {
        assertRefused(Map.of("os", "Linux", "cpu", "x64", "libc", "glibc"), "Unsupported platform os 'Linux'");
        assertRefused(Map.of("os", "linux", "cpu", "x86_64", "libc", "glibc"), "Unsupported platform cpu 'x86_64'");
        assertRefused(Map.of("os", "linux", "cpu", "x64", "libc", "uclibc"), "Unsupported platform libc 'uclibc'");
        assertRefused(Map.of("cpu", "x64"), "Missing platform member 'os'");
        assertRefused(Map.of("os", "linux", "cpu", "x64", "libc", "glibc", "abi", "gnu"), "Unexpected member 'abi' in 'platform'");
    }

    @Test
    void npmGetsOsCpuAndLibc() {
        assertEquals(List.of("--os=linux", "--cpu=arm64", "--libc=glibc"), new RunnerPlatform("linux", "arm64", "glibc").npmArgs());
        assertEquals(List.of("--os=darwin", "--cpu=x64"), new RunnerPlatform("darwin", "x64", null).npmArgs());
    }

    @Test
    void anNpmWithoutThePlatformOptionsIsRefusedNamingTheVersionNeeded() throws IOException {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> npmDraft("10.2.4", Map.of("os", "linux", "cpu", "arm64", "libc", "glibc")).validate());
        assertEquals("Installing for platform linux-arm64-glibc needs npm 10.3.0 or later (for --os, --cpu and --libc);"
                + " the request names npm 10.2.4", e.getMessage());
        assertEquals("darwin-arm64", npmDraft("10.1.0", Map.of("os", "darwin", "cpu", "arm64")).validate().platform().toString());
        assertEquals(null, npmDraft("6.14.13", null).validate().platform());
    }

    @Test
    void versionsCompareByTheirNumbers() {
        assertTrue(Versions.atLeast("10.3.0", "10.3.0"));
        assertTrue(Versions.atLeast("10.10.0", "10.3.0"));
        assertTrue(Versions.atLeast("11", "10.3.0"));
        assertFalse(Versions.atLeast("10.2.99", "10.3.0"));
        assertFalse(Versions.atLeast("9.9.9", "10.1.0"));
        assertFalse(Versions.atLeast("10.3.0-pre.1", "10.3.0"));
    }

    private RequestDraft npmDraft(String npm, Map<String, String> platform) throws IOException {
        RequestDraft draft = new RequestDraft(staging.resolve(npm));
        java.nio.file.Files.createDirectories(staging.resolve(npm));
        draft.manager("npm");
        draft.versions(Map.of("node", "20.11.1", "npm", npm));
        draft.platform(platform);
        try (OutputStream out = draft.newFile("package.json")) {
            out.write("{}".getBytes(StandardCharsets.UTF_8));
        }
        return draft;
    }

    private static void assertRefused(Map<String, String> given, String messageStart) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> RunnerPlatform.validate(new LinkedHashMap<>(given)));
        assertTrue(e.getMessage().startsWith(messageStart), e.getMessage());
    }
}
