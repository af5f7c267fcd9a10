package io.polycache.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * File blobs named by the SHA-256 of their content, each stored once however many installs
 * hold it ({@code objects/aa/bb/<sha256>}).
 *
 * <p>A blob file holds the content as a raw DEFLATE stream (no zlib or gzip header, level 6):
 * exactly the bytes a ZIP entry of method 8 carries, so a bundle's ZIP copies them without
 * compressing anything (see {@code ZipAssembler}). The name is still the hash of the
 * <em>uncompressed</em> content, so deduplication is unchanged; the ledger accounts the stored
 * (compressed) length.
 */
public final class BlobStore {
    /** The one compression level blobs are written at (zlib's default, as {@code zip} uses). */
    public static final int LEVEL = 6;

    private final StorageDirectory files;
    private final ShardLayout layout;
    private final SpaceLedger ledger;
    private final BlobReferences references;

    public BlobStore(StorageDirectory files, SpaceLedger ledger) {
        this.files = files;
        this.layout = files.layout();
        this.ledger = ledger;
        this.references = new BlobReferences(ledger);
        ledger.register(EntryKind.BLOB, sha -> Files.deleteIfExists(layout.object(new Sha256(sha))));
    }

    /**
     * A stored blob: the name and length of the content, the content's CRC-32 (as a ZIP entry
     * records it), and the length and SHA-256 of the stored (deflated) bytes, which the ZIP
     * assembly checks as it copies them.
     */
    public record Blob(Sha256 sha256, long size, long crc32, long storedSize, Sha256 storedSha256) {}

    /** The stored form of a blob: the deflated bytes' length and hash. */
    private record Stored(long size, Sha256 sha256) {}

    /**
     * Stores the bytes of a finished file. The file is hashed; when the blob is not there yet,
     * it is deflated into a new file under {@code tmp/}, fsynced, and linked into place (when it
     * is, nothing is written). The file itself is left to the caller.
     *
     * <p>The blob is pinned for the caller's install: it stays until the install's index takes
     * it over ({@link BlobReferences#pinsBecomeReferences}) or the install gives it up
     * ({@link #unpin}). The pin is taken before the file is linked, so a blob being deleted
     * because its last index went is either kept or written anew, never lost under the index.
     */
    public Blob putFromTmp(Path file) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        CRC32 crc = new CRC32();
        long size = 0;
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
                crc.update(buffer, 0, n);
                size += n;
            }
        }
        Sha256 sha256 = Sha256.of(digest);
        Path target = layout.object(sha256);
        Stored stored;
        if (references.pin(sha256.value())) {
            try {
                stored = Files.exists(target) ? describe(target) : deflateIntoPlace(file, target);
            } catch (IOException | RuntimeException e) {
                references.unpin(java.util.List.of(sha256.value()));
                throw e;
            }
        } else {
            Path temp = files.newTempFile(".blob");
            try {
                stored = deflate(file, temp);
                try (SpaceLedger.Reservation space = ledger.reserve(stored.size())) {
                    references.commit(space, sha256.value(), stored.size());
                }
                try {
                    if (Files.exists(target) || !files.linkIntoPlaceIfAbsent(temp, target)) {
                        stored = describe(target); // written meanwhile, possibly by another zlib
                    }
                } catch (IOException | RuntimeException e) {
                    references.unpin(java.util.List.of(sha256.value()));
                    throw e;
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        }
        return new Blob(sha256, size, crc.getValue(), stored.size(), stored.sha256());
    }

    /** The pinned blob's file is missing (a failed write): writes it again. */
    private Stored deflateIntoPlace(Path file, Path target) throws IOException {
        Path temp = files.newTempFile(".blob");
        try {
            Stored stored = deflate(file, temp);
            return files.linkIntoPlaceIfAbsent(temp, target) ? stored : describe(target);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Writes {@code file} raw-deflated into {@code temp} and fsyncs it, through one open file. */
    private static Stored deflate(Path file, Path temp) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        Deflater deflater = new Deflater(LEVEL, true);
        try (InputStream in = Files.newInputStream(file);
                FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            DeflaterOutputStream out = new DeflaterOutputStream(
                    new DigestOutputStream(Channels.newOutputStream(channel), digest), deflater, 64 * 1024);
            in.transferTo(out);
            out.finish();
            // Before the index names this blob, its bytes must be on the device.
            channel.force(true);
            return new Stored(channel.size(), Sha256.of(digest));
        } finally {
            deflater.end();
        }
    }

    /** The length and hash of a stored blob, as it is on disk. */
    private static Stored describe(Path target) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        long size = 0;
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(target)) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
                size += n;
            }
        }
        return new Stored(size, Sha256.of(digest));
    }

    /** Gives up an install's pins on blobs it stored; blobs nothing else needs are deleted. */
    public void unpin(java.util.Collection<String> shas) {
        references.unpin(shas);
    }

    /** Who holds each blob: indexes and installs in flight. */
    public BlobReferences references() {
        return references;
    }

    /** The stored (raw-deflated) bytes of a blob. */
    public InputStream openStored(Sha256 sha256) throws IOException {
        return Files.newInputStream(layout.object(sha256));
    }
}
