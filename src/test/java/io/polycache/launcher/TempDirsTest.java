package io.polycache.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TempDirsTest {
    private static final String PREFIX = "polycache-tomcat-";

    @TempDir
    Path tmp;

    /** The pid of a process that has exited (and, for the test's few milliseconds, not been reused). */
    private static long deadPid() throws Exception {
        Process process = new ProcessBuilder("true").start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        long pid = process.pid();
        assertTrue(ProcessHandle.of(pid).isEmpty(), "the process is gone");
        return pid;
    }

    @Test
    void aStartDeletesWhatADeadProcessLeftAndKeepsTheLivingOnes() throws Exception {
        Path dead = Files.createDirectories(tmp.resolve(PREFIX + deadPid() + "-123"));
        Files.createDirectories(dead.resolve("webapps/ROOT/WEB-INF"));
        Files.writeString(dead.resolve("webapps/ROOT/WEB-INF/web.xml"), "<web-app/>");
        Path living = Files.createDirectories(tmp.resolve(PREFIX + ProcessHandle.current().pid() + "-456"));
        Path unnamed = Files.createDirectories(tmp.resolve(PREFIX + "12345678901234567890"));
        Path otherPrefix = Files.createDirectories(tmp.resolve("polycache-launcher-" + deadPid() + "-7"));

        Path mine = TempDirs.create(tmp, PREFIX);

        assertFalse(Files.exists(dead), "a dead process's directory is deleted, contents and all");
        assertTrue(Files.isDirectory(living), "a running process's directory stays");
        assertTrue(Files.isDirectory(unnamed), "a name without a pid is never touched");
        assertTrue(Files.isDirectory(otherPrefix), "only the given prefix is swept");
        assertTrue(Files.isDirectory(mine));
        assertTrue(mine.getFileName().toString().startsWith(PREFIX + ProcessHandle.current().pid() + "-"), mine.toString());
    }

    @Test
    void ownerIsThePidInTheNameOrNone() {
        assertEquals(4242, TempDirs.ownerOf(PREFIX + "4242-99", PREFIX));
        assertEquals(-1, TempDirs.ownerOf(PREFIX + "99", PREFIX));
        assertEquals(-1, TempDirs.ownerOf(PREFIX + "-99", PREFIX));
        assertEquals(-1, TempDirs.ownerOf(PREFIX + "x1-99", PREFIX));
        assertEquals(-1, TempDirs.ownerOf("other-4242-99", PREFIX));
    }
}
