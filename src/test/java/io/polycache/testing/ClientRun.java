package io.polycache.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run of a real client: its exit code and its whole output (stdout and stderr together,
 * without ANSI colour codes).
 * The environment is this JVM's without any setting of the clients under test (TURBO_*, NX_*),
 * plus what the test gives; a run that outlives its timeout is killed and fails the test.
 */
public record ClientRun(int exit, String output) {

    public static ClientRun run(Path dir, Map<String, String> env, int timeoutSeconds, String... command)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("TURBO_") || name.startsWith("NX_"));
        builder.environment().putAll(env);
        Path log = Files.createTempFile("client-run", ".log");
        builder.redirectOutput(log.toFile());
        Process process = builder.start();
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeoutSeconds
                        + " s:\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
            // Colours go: some clients colour their output under CI=true, splitting the words tests look for.
            String output = Files.readString(log, StandardCharsets.UTF_8).replaceAll("\u001B\\[[0-9;]*[A-Za-z]", "");
            return new ClientRun(process.exitValue(), output);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    public static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
