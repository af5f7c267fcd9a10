package io.polycache.deps;

import io.polycache.config.ToolchainSettings.ContainerSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The command lines of the container fallback, as argument lists (never a shell string):
 * <pre>
 * &lt;command&gt; run --rm -v &lt;project&gt;:/app -w /app --user &lt;uid&gt;:&lt;gid&gt; --name &lt;name&gt; &lt;extra args&gt;
 *     [-v &lt;npm&gt;:/opt/polycache/npm:ro] [-v &lt;ca file&gt;:/etc/polycache/&lt;VAR&gt;.pem:ro -e &lt;VAR&gt;=...]
 *     [-e &lt;PROXY VAR&gt;] -e HOME=/tmp -e ... &lt;image&gt; &lt;install argv&gt;
 * </pre>
 * The image name comes from the configured template and validated versions only; the name lets
 * a timed-out container be removed (killing the client does not stop the container).
 */
record ContainerCommand(ContainerSettings settings) {
    static final String NPM_MOUNT = "/opt/polycache/npm";
    static final String CA_MOUNT_DIR = "/etc/polycache/";

    /** What one run needs besides the settings. */
    record Run(String name, Path project, int uid, int gid, String image, Path npm, Map<String, Path> caFiles,
            List<String> passedOn, Map<String, String> environment, List<String> argv) {}

    String npmImage(String node, String npm) {
        return settings.npmImage().replace("{node}", node).replace("{npm}", npm);
    }

    String composerImage(String php) {
        return settings.composerImage().replace("{php}", php);
    }

    List<String> run(Run run) {
        for (Path path : List.of(run.project(), run.npm() == null ? run.project() : run.npm())) {
            if (path.toString().contains(":") || path.toString().contains(",")) {
                throw new IllegalStateException("cannot mount a path with ':' or ',' into a container: " + path);
            }
        }
        List<String> command = new ArrayList<>(List.of(settings.command(), "run", "--rm",
                "-v", run.project() + ":/app", "-w", "/app", "--user", run.uid() + ":" + run.gid(),
                "--name", run.name()));
        command.addAll(settings.extraArgs());
        if (run.npm() != null) {
            command.addAll(List.of("-v", run.npm() + ":" + NPM_MOUNT + ":ro"));
        }
        run.caFiles().forEach((variable, file) -> {
            String inside = CA_MOUNT_DIR + variable + ".pem";
            command.addAll(List.of("-v", file + ":" + inside + ":ro", "-e", variable + "=" + inside));
        });
        // Without a value: the runtime copies it from its own environment, so no proxy
        // credentials appear in the process list.
        run.passedOn().forEach(variable -> command.addAll(List.of("-e", variable)));
        run.environment().forEach((name, value) -> command.addAll(List.of("-e", name + "=" + value)));
        command.add(run.image());
        command.addAll(run.argv());
        return command;
    }

    /**
     * Stops a container that outlived its client (timeout, shutdown) at once: {@code kill} sends
     * SIGKILL in docker and podman alike, where {@code rm -f} would first wait out a stop timeout
     * that a node running as PID 1 never answers.
     */
    List<String> kill(String name) {
        return List.of(settings.command(), "kill", name);
    }

    /** Then removes it, should {@code --rm} not have (the client that asked for it is gone). */
    List<String> remove(String name) {
        return List.of(settings.command(), "rm", "-f", name);
    }
}
