package io.polycache.deps;

import io.polycache.store.StorageDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The versions of the server's own node, npm and php, asked of the programs themselves once
 * (the first request that needs them) with the same clean environment installs get.
 */
final class HostTools {
    private static final Logger LOG = Logger.getLogger(HostTools.class.getName());
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(60);

    /** What the host has; empty where a program is missing or does not answer with a version. */
    record Found(Optional<String> node, Optional<String> npm, Optional<String> php) {
        static String describe(Optional<String> version) {
            return version.orElse("none");
        }
    }

    private final StorageDirectory files;
    private final InstallEnvironment environment;
    private final ProcessRunner runner = new ProcessRunner();
    private Found found;

    HostTools(StorageDirectory files, InstallEnvironment environment) {
        this.files = files;
        this.environment = environment;
    }

    synchronized Found found() throws IOException, InterruptedException {
        if (found == null) {
            Path scratch = files.newTempDirectory("probe-");
            try {
                Files.createDirectory(scratch.resolve("home"));
                Files.createDirectory(scratch.resolve("tmp"));
                found = new Found(version(scratch, "node", "--version"), version(scratch, "npm", "--version"),
                        version(scratch, "php", "-r", "echo PHP_VERSION;"));
                LOG.info("Host toolchains: node " + Found.describe(found.node()) + ", npm "
                        + Found.describe(found.npm()) + ", php " + Found.describe(found.php()));
            } finally {
                StorageDirectory.deleteQuietly(scratch);
            }
        }
        return found;
    }

    private Optional<String> version(Path scratch, String program, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        try {
            command.add(environment.locate(program));
        } catch (ToolUnavailableException e) {
            return Optional.empty();
        }
        command.addAll(List.of(args));
        try {
            ProcessRunner.Result result = runner.run(command, scratch,
                    environment.forInstall(Manager.NPM, scratch.resolve("home"), scratch.resolve("tmp"),
                            scratch.resolve("tmp")),
                    scratch.resolve(program + ".log"), PROBE_TIMEOUT);
            return result.exitCode() == 0 ? parseVersion(result.outputTail()) : Optional.empty();
        } catch (InstallTimeoutException e) {
            LOG.warning(program + " did not tell its version within " + PROBE_TIMEOUT.toSeconds() + " s");
            return Optional.empty();
        }
    }

    /** The last non-blank line, without a leading {@code v}, if it is a version. */
    static Optional<String> parseVersion(String output) {
        String[] lines = output.strip().split("\r?\n");
        String last = lines[lines.length - 1].strip();
        if (last.startsWith("v")) {
            last = last.substring(1);
        }
        return Versions.isValid(last) ? Optional.of(last) : Optional.empty();
    }
}
