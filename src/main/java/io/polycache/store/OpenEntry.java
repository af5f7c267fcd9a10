package io.polycache.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An entry opened for reading. Its bytes stay readable until it is closed, even if the entry is
 * deleted or replaced meanwhile: a reader always gets the whole of one version.
 */
public interface OpenEntry extends AutoCloseable {
    EntryMeta meta();

    /**
     * Writes the body to {@code out}. A stored body found damaged on the way (shorter than its
     * metadata says) fails with an {@link IOException} rather than ending early.
     */
    void transferTo(OutputStream out) throws IOException;

    /**
     * A file whose bytes {@code [0, size)} are the body, for zero-copy sending; empty when the
     * backend has none or the body is already in memory.
     */
    Optional<Path> file();

    @Override
    void close();
}
