package io.polycache.deps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessRunnerTest {
    @TempDir
    Path dir;

    private final ProcessRunner runner = new ProcessRunner();

    @Test
    void theChildSeesOnlyTheEnvironmentItIsGiven() throws Exception {
        ProcessRunner.Result result = runner.run(List.of("/usr/bin/env"), dir, Map.of("PATH", "/usr/bin:/bin", "ONLY", "this"),
                dir.resolve("log"), Duration.ofSeconds(10));
        assertEquals(0, result.exitCode());
        assertEquals(List.of("PATH=/usr/bin:/bin", "ONLY=this").stream().sorted().toList(),
                result.outputTail().lines().sorted().toList());
    }

    @Test
    void theTailKeepsTheLastLinesOfStdoutAndStderr() throws Exception {
        ProcessRunner.Result result = runner.run(List.of("/bin/sh", "-c", "for i in $(seq 1 100); do echo line $i; done; echo oops >&2; exit 3"),
                dir, Map.of("PATH", "/usr/bin:/bin"), dir.resolve("log"), Duration.ofSeconds(10));
        assertEquals(3, result.exitCode());
        List<String> lines = result.outputTail().lines().toList();
        assertEquals(ProcessRunner.TAIL_LINES, lines.size());
        assertEquals("line 62", lines.get(0));
        assertEquals("oops", lines.get(lines.size() - 1));
    }

    @Test
    void aTimeoutKillsTheWholeProcessTree() throws Exception {
        // A parent that starts grandchildren in the background and then waits.
        Path pids = dir.resolve("pids");
        String script = "sleep 300 & echo $! >> " + pids + "; (sleep 300 & echo $! >> " + pids + "; wait) & wait";
        InstallTimeoutException e = assertThrows(InstallTimeoutException.class,
                () -> runner.run(List.of("/bin/sh", "-c", script), dir, Map.of("PATH", "/usr/bin:/bin"),
                        dir.resolve("log"), Duration.ofSeconds(2)));
        assertEquals("Installation timed out after 2 seconds", e.getMessage());
        List<Long> started = Files.readAllLines(pids).stream().map(Long::parseLong).toList();
        assertEquals(2, started.size());
        for (long pid : started) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "sleep " + pid + " survived");
        }
        assertTrue(ProcessHandle.current().descendants().noneMatch(p -> p.info().command().orElse("").endsWith("sleep")));
    }

    @Test
    void aLongLogIsCutToItsEnd() throws Exception {
        String longLine = "x".repeat(1000);
        String script = IntStream.range(0, 50).mapToObj(i -> "echo " + longLine).reduce((a, b) -> a + ";" + b).orElseThrow()
                + "; echo last";
        ProcessRunner.Result result = runner.run(List.of("/bin/sh", "-c", script), dir, Map.of("PATH", "/usr/bin:/bin"),
                dir.resolve("log"), Duration.ofSeconds(10));
        assertTrue(result.outputTail().length() <= 16 * 1024);
        assertTrue(result.outputTail().endsWith("last"));
    }
}
