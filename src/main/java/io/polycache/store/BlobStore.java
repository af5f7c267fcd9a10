package io.polycache.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * File blobs named by the SHA-256 of their content, each stored once however many installs
 * hold it ({@code objects/aa/bb/<sha256>}).
 */
public final class BlobStore {
    private final FileStore files;
    private final ShardLayout layout;

    public BlobStore(FileStore files) {
        this.files = files;
        this.layout = files.layout();
    }

    /** A stored blob: its name and length. */
    public record Blob(Sha256 sha256, long size) {}

    /**
     * Stores the bytes of a finished file that lies under {@code tmp/}. The file is hashed and
     * fsynced, then hard-linked into place, so storing costs no copy; when the blob is already
     * there, nothing changes. The file itself is left to the caller.
     */
    public Blob putFromTmp(Path file) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        long size = 0;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            int n;
            while ((n = channel.read(buffer)) >= 0) {
                buffer.flip();
                digest.update(buffer);
                buffer.clear();
                size += n;
            }
            // Before the index names this blob, its bytes must be on the device.
            channel.force(true);
        }
        Sha256 sha256 = Sha256.of(digest);
        Path target = layout.object(sha256);
        if (!Files.exists(target)) {
            files.linkIntoPlaceIfAbsent(file, target);
        }
        return new Blob(sha256, size);
    }

    public boolean exists(Sha256 sha256) {
        return Files.isRegularFile(layout.object(sha256));
    }

    public InputStream open(Sha256 sha256) throws IOException {
        return Files.newInputStream(layout.object(sha256));
    }
}
