package io.polycache.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A build tool from the npm registry at a pinned version (turbo, nx), installed once under
 * {@code target/npm-tools/<name>-<version>} and reused by every later test run until
 * {@code mvn clean}. Without npm the tests that need it fail under CI (where .ci/run must
 * provide it) and are skipped, with the reason, elsewhere.
 */
public final class NpmTool {
    private static final Path ROOT = Path.of("target", "npm-tools").toAbsolutePath();

    private NpmTool() {}

    /** The tool's {@code node_modules} directory (link it into a workspace), installing it first if need be. */
    public static synchronized Path install(String name, String version) throws IOException, InterruptedException {
        Path dir = ROOT.resolve(name + "-" + version);
        Path done = dir.resolve(".installed");
        if (Files.exists(done)) {
            return dir.resolve("node_modules");
        }
        if (!ClientRun.onPath("npm") || !ClientRun.onPath("node")) {
            String why = "node and npm are needed to install " + name + "@" + version + " from the npm registry";
            if (System.getenv("CI") != null) {
                fail(why + " (CI is set: .ci/run must provide them)");
            }
            Assumptions.abort(why + "; skipped outside CI");
        }
        deleteTree(dir);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("package.json"), "{\"private\":true}\n");
        // Install scripts are not needed (the native binaries come as optional dependencies).
        ClientRun install = ClientRun.run(dir, Map.of(), 600, "npm", "install", "--no-audit", "--no-fund",
                "--ignore-scripts", "--no-update-notifier", name + "@" + version);
        if (install.exit() != 0) {
            fail("npm install " + name + "@" + version + " failed (exit " + install.exit() + "):\n" + install.output());
        }
        Files.writeString(done, version + "\n");
        return dir.resolve("node_modules");
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
