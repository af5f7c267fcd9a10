package io.polycache.deps;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one command without a shell, in a given directory, with exactly the environment given
 * (nothing inherited), its output going to a log file, under a timeout. On timeout or interrupt
 * the whole process tree is killed, so no grandchild outlives the install that started it.
 */
public final class ProcessRunner {
    /** How many lines of output a failure report keeps. */
    static final int TAIL_LINES = 40;
    private static final int TAIL_BYTES = 16 * 1024;
    private static final Duration REAP_WAIT = Duration.ofSeconds(10);

    public record Result(int exitCode, String outputTail) {}

    /**
     * @throws InstallTimeoutException when the timeout expires (the tree is dead by then)
     * @throws InterruptedException    when interrupted (the tree is dead by then)
     */
    public Result run(List<String> command, Path directory, Map<String, String> environment, Path log,
            Duration timeout) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process process = builder.start();
        boolean finished;
        try {
            finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            killTree(process.toHandle());
            throw e;
        }
        if (!finished) {
            killTree(process.toHandle());
            throw new InstallTimeoutException(timeout, tail(log));
        }
        return new Result(process.exitValue(), tail(log));
    }

    /**
     * Kills a process and all its descendants and waits (bounded) until they are gone. The
     * descendants are listed before anything is killed: once a parent dies its children are
     * re-parented and no longer found from it.
     */
    static void killTree(ProcessHandle root) {
        List<ProcessHandle> tree = new ArrayList<>(root.descendants().toList());
        tree.add(0, root);
        tree.forEach(ProcessHandle::destroyForcibly);
        // A process forked between the listing and the kills: one more sweep catches it.
        root.descendants().forEach(ProcessHandle::destroyForcibly);
        CompletableFuture<?>[] exits = tree.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(exits).get(REAP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // Still listed after SIGKILL and the wait: nothing more this process can do.
        }
    }

    /** The last lines of the log, at most a few KiB of them. */
    static String tail(Path log) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(0, file.length() - TAIL_BYTES);
            byte[] bytes = new byte[(int) (file.length() - start)];
            file.seek(start);
            file.readFully(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8);
            List<String> lines = Arrays.asList(text.split("\r?\n"));
            if (start > 0 && lines.size() > 1) {
                lines = lines.subList(1, lines.size()); // the first line is cut
            }
            return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
        }
    }
}
