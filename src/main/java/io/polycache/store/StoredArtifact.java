package io.polycache.store;

import java.nio.channels.FileChannel;

/**
 * An artifact opened for reading: its metadata as stored, and an open channel on its bytes.
 * Holding the channel keeps the bytes readable even if the entry is deleted meanwhile.
 */
public record StoredArtifact(byte[] metadata, FileChannel data, long size, java.nio.file.Path path)
        implements AutoCloseable {
    @Override
    public void close() {
        try {
            data.close();
        } catch (java.io.IOException ignored) {
            // nothing was written; closing a read channel cannot lose data
        }
    }
}
