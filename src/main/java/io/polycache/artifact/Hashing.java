package io.polycache.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/** Digest helpers (the digests themselves come from {@link io.polycache.store.Sha256#newDigest}). */
final class Hashing {
    private static final int MAX_BUFFER = 64 * 1024;
    private static final int MIN_BUFFER = 512;

    private Hashing() {}

    /**
     * Feeds a stream to the digest; returns its length. {@code expectedSize} (negative if not
     * known) sizes the buffer: a small output does not allocate and zero 64 KiB.
     */
    static long copy(InputStream in, MessageDigest digest, long expectedSize) throws IOException {
        int size = expectedSize < 0 ? MAX_BUFFER : (int) Math.max(MIN_BUFFER, Math.min(MAX_BUFFER, expectedSize));
        byte[] buffer = new byte[size];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            digest.update(buffer, 0, n);
            total += n;
        }
        return total;
    }
}
