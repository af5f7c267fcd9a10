package io.polycache.store;

import java.util.Map;

/**
 * What the store keeps beside an entry's bytes: their length and SHA-256 (lower-case hex), when
 * the entry was written (epoch milliseconds), and the few protocol headers to replay on reads
 * (a content type, Turborepo's {@code x-artifact-duration} and {@code x-artifact-tag}), by
 * lower-case name.
 */
public record EntryMeta(long size, String sha256, long createdMillis, Map<String, String> headers) {
    /** Bounds of the header map, so that metadata always fits one small read. */
    public static final int MAX_HEADERS = 16;
    public static final int MAX_HEADER_NAME = 64;
    public static final int MAX_HEADER_VALUE = 1024;

    public EntryMeta {
        if (size < 0) {
            throw new IllegalArgumentException("negative size");
        }
        if (sha256 == null || sha256.length() != 64 || !Names.isLowerHex(sha256)) {
            throw new IllegalArgumentException("not a lower-case SHA-256: " + sha256);
        }
        headers = Map.copyOf(headers);
        checkHeaders(headers);
    }

    /** Refuses a header map the store would not keep (too many, too long, or not lower-case names). */
    public static void checkHeaders(Map<String, String> headers) {
        if (headers.size() > MAX_HEADERS) {
            throw new IllegalArgumentException("more than " + MAX_HEADERS + " headers");
        }
        headers.forEach((name, value) -> {
            if (name.isEmpty() || name.length() > MAX_HEADER_NAME || !name.equals(name.toLowerCase(java.util.Locale.ROOT))) {
                throw new IllegalArgumentException("bad header name: " + name);
            }
            if (value.length() > MAX_HEADER_VALUE) {
                throw new IllegalArgumentException("header " + name + " is longer than " + MAX_HEADER_VALUE);
            }
        });
    }
}
