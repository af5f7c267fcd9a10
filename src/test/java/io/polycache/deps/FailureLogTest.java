package io.polycache.deps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FailureLogTest {
    @TempDir
    Path install;

    private String read(List<String> lines) throws IOException {
        Path log = install.resolve("install.log");
        Files.write(log, lines);
        return FailureLog.read(log, install);
    }

    @Test
    void npmsCauseSurvivesTheUsageTextAfterIt() throws IOException {
        List<String> lines = new ArrayList<>(List.of("npm error code EUSAGE", "npm error",
                "npm error `npm ci` can only install packages when your package.json and package-lock.json are in sync.",
                "npm error", "npm error Missing: left-pad@1.3.0 from lock file", "npm error", "npm error Clean install a project"));
        for (int i = 0; i < 100; i++) {
            lines.add("npm error   --option-" + i);
            lines.add("npm error");
        }
        lines.add("npm error A complete log of this run can be found in: " + install + "/home/.npm/_logs/2026-debug-0.log");
        String text = read(lines);
        List<String> out = text.lines().toList();
        assertEquals("npm error code EUSAGE", out.get(0));
        assertTrue(out.contains("npm error Missing: left-pad@1.3.0 from lock file"), text);
        assertTrue(out.contains("[…]"), text);
        assertEquals("npm error", out.get(out.size() - 1), "the tail ends where the output did, log path left out");
        assertFalse(text.contains("_logs"), text);
        assertFalse(text.contains(install.toString()), text);
        assertTrue(out.size() <= FailureLog.MARKED_LINES + 1 + FailureLog.TAIL_LINES, out.size() + " lines");
    }

    @Test
    void composersProblemLinesAreKeptAndServerPathsHidden() throws IOException {
        List<String> lines = new ArrayList<>(List.of("Installing dependencies from lock file (including require-dev)",
                "Verifying lock file contents can be installed on current platform.",
                "Your lock file does not contain a compatible set of packages. Please run composer update.", "",
                "  Problem 1", "    - Root composer.json requires acme/missing 1.0.0, it could not be found in any version.",
                "  - Installing acme/hello (1.0.0): Extracting archive"));
        for (int i = 0; i < 60; i++) {
            lines.add("noise " + i + " in " + install.resolve("project/vendor"));
        }
        String text = read(lines);
        List<String> out = text.lines().toList();
        assertEquals(List.of("Your lock file does not contain a compatible set of packages. Please run composer update.",
                "  Problem 1", "    - Root composer.json requires acme/missing 1.0.0, it could not be found in any version.",
                "[…]"), out.subList(0, 4));
        assertEquals("noise 59 in ./vendor", out.get(out.size() - 1));
        assertEquals(4 + FailureLog.TAIL_LINES, out.size());
    }

    @Test
    void aShortLogIsShownWholeOnceAndLongLinesAreCut() throws IOException {
        String text = read(List.of("npm error code E404", "npm error 404 Not Found - GET https://registry.npmjs.org/x", "x".repeat(5000)));
        List<String> out = text.lines().toList();
        assertEquals(3, out.size(), text);
        assertEquals("npm error code E404", out.get(0));
        assertEquals(FailureLog.MAX_LINE + 1, out.get(2).length());
    }
}
