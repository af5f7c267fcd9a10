package io.polycache.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The versions of the node, npm and php on this machine: what a request must name to be
 * installed by the host's own tools (the server honours requested versions exactly).
 */
public final class HostToolchain {
    private static Map<String, String> npm;

    private HostToolchain() {}

    /** {@code {"node": ..., "npm": ...}} of this machine. */
    public static synchronized Map<String, String> npmVersions() {
        if (npm == null) {
            npm = Map.of("node", lastLine("node", "--version").replaceFirst("^v", ""),
                    "npm", lastLine("npm", "--version"));
        }
        return npm;
    }

    /** This machine's PHP as major.minor, e.g. {@code 8.2}: a prefix the server matches against its own. */
    public static String phpMinor() {
        String[] parts = lastLine("php", "-r", "echo PHP_VERSION;").split("\\.");
        return parts[0] + "." + parts[1];
    }

    private static String lastLine(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (process.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
            List<String> lines = out.lines().toList();
            return lines.get(lines.size() - 1).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
