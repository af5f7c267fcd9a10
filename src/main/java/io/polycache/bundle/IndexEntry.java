package io.polycache.bundle;

import io.polycache.store.Sha256;

/**
 * One path of an installed tree: a regular file (its blob, size and executable bit, and what
 * the ZIP entry copied from the deflated blob needs: the content's CRC-32, the stored length and
 * the stored bytes' SHA-256) or a symbolic link (its target, relative to the link's directory).
 */
public record IndexEntry(String path, Sha256 blob, long size, boolean executable, String linkTarget,
        long crc32, long storedSize, Sha256 storedSha256) {

    public static IndexEntry file(String path, Sha256 blob, long size, boolean executable, long crc32,
            long storedSize, Sha256 storedSha256) {
        return new IndexEntry(path, blob, size, executable, null, crc32, storedSize, storedSha256);
    }

    /** A file entry whose stored form does not matter (path checks). */
    public static IndexEntry file(String path, Sha256 blob, long size, boolean executable) {
        return file(path, blob, size, executable, 0, 0, null);
    }

    public static IndexEntry link(String path, String target) {
        return new IndexEntry(path, null, 0, false, target, 0, 0, null);
    }

    public boolean isLink() {
        return linkTarget != null;
    }
}
