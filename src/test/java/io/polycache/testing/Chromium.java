package io.polycache.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's real {@code chromium}, headless, each run with a fresh profile and nothing talking to
 * the network but the page asked for. {@code .ci/run} installs it.
 */
public final class Chromium {
    private static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync");

    private final Path scratch;

    /** @param scratch a directory for the profiles (one fresh --user-data-dir a run) */
    public Chromium(Path scratch) {
        this.scratch = scratch;
    }

    /** The DOM after the page loaded, as HTML. */
    public String dumpDom(String url) throws IOException, InterruptedException {
        return run(List.of("--dump-dom", url));
    }

    /** Saves a PNG of the page as a window of the given size would show it. */
    public void screenshot(String url, Path png, int width, int height) throws IOException, InterruptedException {
        run(List.of("--window-size=" + width + "," + height, "--screenshot=" + png.toAbsolutePath(), url));
        if (!Files.isRegularFile(png)) {
            throw new AssertionError("chromium wrote no screenshot to " + png);
        }
    }

    private String run(List<String> args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(scratch, "chromium-profile-");
        List<String> command = new ArrayList<>();
        command.add("chromium");
        command.addAll(FLAGS);
        command.add("--user-data-dir=" + profile);
        command.addAll(args);
        Path errors = scratch.resolve(profile.getFileName() + ".log");
        Process process;
        try {
            process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("chromium is not installed (sudo .ci/run installs it): " + e.getMessage(), e);
        }
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("chromium did not finish in 120 s");
        }
        if (process.exitValue() != 0) {
            throw new AssertionError("chromium exited with " + process.exitValue() + ":\n" + Files.readString(errors));
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
