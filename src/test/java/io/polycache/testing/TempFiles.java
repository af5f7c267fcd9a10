package io.polycache.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Files left in a storage directory's {@code tmp/} (uploads write in its subdirectories). */
public final class TempFiles {
    private TempFiles() {}

    /** The regular files anywhere under {@code dir}, none if it does not exist. */
    public static List<Path> under(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.filter(Files::isRegularFile).toList();
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }
}
