package io.polycache.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real build tool run by an integration test (bazel, ccache, gradle, Maven): found on the
 * PATH (missing: the test fails under CI, where .ci/run installs it, and is skipped with a
 * message elsewhere), run in a directory with extra environment, its output kept for asserts.
 */
public final class BuildTool {
    private BuildTool() {}

    /** What a run printed (stdout and stderr together) and how it ended. */
    public record Run(int exit, String output) {
        public Run ok() {
            if (exit != 0) {
                fail("exit " + exit + ":\n" + output);
            }
            return this;
        }
    }

    /** Fails (under CI) or skips (elsewhere) unless {@code executable} exists or is on the PATH. */
    public static void require(String executable, String installHint) {
        boolean found = executable.contains("/") ? Files.isRegularFile(Path.of(executable)) : onPath(executable);
        if (found) {
            return;
        }
        String message = executable + " is missing (" + installHint + ")";
        if (System.getenv("CI") != null) {
            fail(message);
        }
        Assumptions.abort(message);
    }

    private static boolean onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    public static Run run(Path dir, Map<String, String> env, long timeoutSeconds, List<String> command)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("build-tool", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                fail(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s:\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            return new Run(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
