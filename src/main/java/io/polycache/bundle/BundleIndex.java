package io.polycache.bundle;

import io.polycache.store.Sha256;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a bundle holds: every installed path with its blob, mode or link target, sorted by path
 * so that the same tree always gives the same index and the same ZIP.
 *
 * @param versions toolchain versions in the order the index file name joins them
 * @param root     the folder every entry but a top-level lockfile lies under
 */
public record BundleIndex(Sha256 hash, String manager, Map<String, String> versions, String root,
        List<IndexEntry> entries) {

    public BundleIndex {
        versions = Collections.unmodifiableMap(new LinkedHashMap<>(versions));
        entries = entries.stream().sorted((a, b) -> a.path().compareTo(b.path())).toList();
        for (IndexEntry entry : entries) {
            BundlePaths.check(root, entry);
        }
    }

    /** The versions part of the index file name: {@code 14.20.0_6.14.13}, {@code 8.2.0}. */
    public String versionsTag() {
        return String.join("_", versions.values());
    }

    /** Sum of the sizes of the regular files, before deduplication. */
    public long installedBytes() {
        return entries.stream().filter(e -> !e.isLink()).mapToLong(IndexEntry::size).sum();
    }

    /** The blobs the entries name, once per entry (a blob named twice is held twice). */
    public static java.util.List<String> blobsOf(java.util.List<IndexEntry> entries) {
        java.util.List<String> shas = new java.util.ArrayList<>();
        for (IndexEntry entry : entries) {
            if (entry.blob() != null) {
                shas.add(entry.blob().value());
            }
        }
        return shas;
    }
}
