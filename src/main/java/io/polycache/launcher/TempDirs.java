package io.polycache.launcher;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The standalone server's temp directories (the embedded Tomcat's jars, Tomcat's base with the
 * unpacked webapp, about 40 MB a start), named {@code <prefix><pid>-<random>} after the process
 * that made them. A clean stop deletes its own; a process killed with -9 cannot, so each start
 * first deletes those whose process is no longer running. JDK only: {@link Main} uses it before
 * any other class is loadable.
 */
final class TempDirs {
    private TempDirs() {}

    /** Deletes what earlier, dead processes left under {@code prefix}, then creates this process's directory. */
    static Path create(String prefix) throws IOException {
        return create(Path.of(System.getProperty("java.io.tmpdir")), prefix);
    }

    static Path create(Path parent, String prefix) throws IOException {
        sweep(parent, prefix);
        return Files.createTempDirectory(parent, prefix + ProcessHandle.current().pid() + "-");
    }

    /** Deletes the directories under {@code prefix} whose process is gone; returns how many went. */
    static int sweep(Path parent, String prefix) {
        int removed = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, prefix + "*")) {
            for (Path dir : dirs) {
                long pid = ownerOf(dir.getFileName().toString(), prefix);
                if (pid > 0 && ProcessHandle.of(pid).isEmpty() && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    deleteRecursively(dir);
                    removed++;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Best effort: a directory that cannot be listed or deleted stays, the start goes on.
        }
        return removed;
    }

    /** The pid in {@code <prefix><pid>-<random>}, or -1 for any other name (never deleted). */
    static long ownerOf(String name, String prefix) {
        if (!name.startsWith(prefix)) {
            return -1;
        }
        int dash = name.indexOf('-', prefix.length());
        if (dash <= prefix.length()) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(prefix.length(), dash));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static void deleteRecursively(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> paths = walk.sorted(Comparator.reverseOrder()).toList();
            for (Path p : paths) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | RuntimeException ignored) {
            // a temp directory: what cannot go now goes at the next start
        }
    }
}
