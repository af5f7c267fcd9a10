package io.polycache.bundle;

import io.polycache.store.BlobStore;
import io.polycache.store.Sha256;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * Writes the ZIP of a bundle from its index and the blobs.
 *
 * <p>The same index always gives the same bytes: entries come in index order (sorted by path),
 * every entry has the same timestamp, and nothing else varies. Unix modes travel in the external
 * attributes, which {@code unzip} honours: {@code 0755}/{@code 0644} for files, and
 * {@code 0120777} with the target as content for symbolic links.
 *
 * <p>Nothing is compressed here: blobs are stored raw-deflated ({@link BlobStore}), and each file
 * entry is the blob's bytes copied as they are, with the CRC-32 and sizes the index records. The
 * copy is checked against the index's length and SHA-256 of the stored bytes, so a blob changed
 * on disk fails the build instead of reaching a client (checking the content itself would mean
 * inflating every blob again).
 */
public final class ZipAssembler {
    private static final int REGULAR = 0100000;
    private static final int SYMLINK = 0120000;
    private static final int BUFFER = 64 * 1024;

    private final BlobStore blobs;
    private final BundleShare share;

    public ZipAssembler(BlobStore blobs) {
        this(blobs, BundleShare.NONE);
    }

    /** @param share where blobs this node does not hold are read from */
    public ZipAssembler(BlobStore blobs, BundleShare share) {
        this.blobs = blobs;
        this.share = share;
    }

    /** Writes the bundle into a new file, which the caller then moves into place. */
    public void write(BundleIndex index, Path target) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target), BUFFER)) {
            write(index, out);
        }
    }

    /**
     * The SHA-256 of the bytes {@link #write} gives for {@code index}, without writing them
     * anywhere: what a stored ZIP of the bundle must hash to.
     *
     * @throws DamagedBlobException when a blob is missing or no longer the one the index names
     */
    public Sha256 sha256(BundleIndex index) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        try (OutputStream out = new BufferedOutputStream(new DigestOutputStream(OutputStream.nullOutputStream(), digest),
                BUFFER)) {
            write(index, out);
        }
        return Sha256.of(digest);
    }

    /**
     * The one writer of a bundle's bytes. A stream, not a seekable file: every size and CRC-32 is
     * known before its entry is written, so nothing is patched afterwards and a file and a
     * digest get the same bytes.
     */
    private void write(BundleIndex index, OutputStream out) throws IOException {
        long time = fixedTime();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
            for (IndexEntry entry : index.entries()) {
                ZipArchiveEntry zipEntry = new ZipArchiveEntry(entry.path());
                zipEntry.setTime(time);
                if (entry.isLink()) {
                    byte[] target = entry.linkTarget().getBytes(StandardCharsets.UTF_8);
                    CRC32 crc = new CRC32();
                    crc.update(target);
                    zipEntry.setMethod(ZipEntry.STORED);
                    zipEntry.setUnixMode(SYMLINK | 0777);
                    zipEntry.setSize(target.length);
                    zipEntry.setCrc(crc.getValue());
                    zip.putArchiveEntry(zipEntry);
                    zip.write(target);
                    zip.closeArchiveEntry();
                } else {
                    zipEntry.setMethod(ZipEntry.DEFLATED);
                    zipEntry.setUnixMode(REGULAR | (entry.executable() ? 0755 : 0644));
                    zipEntry.setSize(entry.size());
                    zipEntry.setCrc(entry.crc32());
                    zipEntry.setCompressedSize(entry.storedSize());
                    copyVerified(entry, zipEntry, zip);
                }
            }
            zip.finish();
        }
    }

    /** Copies a blob's stored bytes, checking they are still the bytes the index names. */
    private void copyVerified(IndexEntry entry, ZipArchiveEntry zipEntry, ZipArchiveOutputStream zip)
            throws IOException {
        MessageDigest digest = Sha256.newDigest();
        InputStream stored;
        try {
            stored = blobs.openStored(entry.blob());
        } catch (java.nio.file.NoSuchFileException e) {
            stored = share.openBlob(entry.blob()).orElseThrow(() -> new DamagedBlobException(entry.blob(),
                    "blob " + entry.blob() + " of " + entry.path() + " is missing", share.enabled()));
        }
        try (InputStream in = new DigestInputStream(stored, digest)) {
            zip.addRawArchiveEntry(zipEntry, in);
        }
        // The hash covers the length too: a shorter or longer blob fails here.
        if (!Sha256.of(digest).equals(entry.storedSha256())) {
            throw new DamagedBlobException(entry.blob(), "blob " + entry.blob() + " of " + entry.path() + " is corrupt");
        }
    }

    /**
     * 1980-01-01 00:00 in ZIP's DOS time, whatever the server's time zone: the writer converts
     * from local time, so the instant is taken in local time too.
     */
    private static long fixedTime() {
        return LocalDateTime.of(1980, 1, 1, 0, 0).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
    }
}
