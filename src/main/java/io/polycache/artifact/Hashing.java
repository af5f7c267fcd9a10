package io.polycache.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/** Digest helpers (the digests themselves come from {@link io.polycache.store.Sha256#newDigest}). */
final class Hashing {
    private Hashing() {}

    /** Feeds a stream to the digest; returns its length. */
    static long copy(InputStream in, MessageDigest digest) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            digest.update(buffer, 0, n);
            total += n;
        }
        return total;
    }
}
