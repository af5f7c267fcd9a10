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
    private final SpaceLedger ledger;

    public BlobStore(FileStore files, SpaceLedger ledger) {
        this.files = files;
        this.layout = files.layout();
        this.ledger = ledger;
        ledger.register(EntryKind.BLOB, sha -> Files.deleteIfExists(layout.object(new Sha256(sha))));
    }

    /** A stored blob: its name and length. */
    public record Blob(Sha256 sha256, long size) {}

    /**
     * Stores the bytes of a finished file that lies under {@code tmp/}. The file is hashed and
     * fsynced, then hard-linked into place, so storing costs no copy; when the blob is already
     * there, nothing changes. The file itself is left to the caller.
     *
     * <p>The blob is pinned for the caller's install: it stays until the install's index takes
     * it over ({@link SpaceLedger#pinsBecomeReferences}) or the install gives it up
     * ({@link #unpin}). The pin is taken before the file is linked, so a blob being deleted
     * because its last index went is either kept or written anew, never lost under the index.
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
        if (!ledger.pinBlob(sha256.value())) {
            try (SpaceLedger.Reservation space = ledger.reserve(size)) {
                space.commitBlob(sha256.value(), size);
            }
        }
        Path target = layout.object(sha256);
        try {
            if (!Files.exists(target)) {
                files.linkIntoPlaceIfAbsent(file, target);
            }
        } catch (IOException | RuntimeException e) {
            ledger.unpin(java.util.List.of(sha256.value()));
            throw e;
        }
        return new Blob(sha256, size);
    }

    /** Gives up an install's pins on blobs it stored; blobs nothing else needs are deleted. */
    public void unpin(java.util.Collection<String> shas) {
        ledger.unpin(shas);
    }

    public boolean exists(Sha256 sha256) {
        return Files.isRegularFile(layout.object(sha256));
    }

    public InputStream open(Sha256 sha256) throws IOException {
        return Files.newInputStream(layout.object(sha256));
    }
}
