package io.polycache.bundle;

import io.polycache.store.Sha256;

/**
 * One path of an installed tree: a regular file (its blob, size and executable bit) or a
 * symbolic link (its target, relative to the link's directory).
 */
public record IndexEntry(String path, Sha256 blob, long size, boolean executable, String linkTarget) {

    public static IndexEntry file(String path, Sha256 blob, long size, boolean executable) {
        return new IndexEntry(path, blob, size, executable, null);
    }

    public static IndexEntry link(String path, String target) {
        return new IndexEntry(path, null, 0, false, target);
    }

    public boolean isLink() {
        return linkTarget != null;
    }
}
