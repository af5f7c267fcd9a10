package io.polycache.artifact;

import io.polycache.store.VerifiedWrite;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/** Digest helpers (the digests themselves come from {@link io.polycache.store.Sha256#newDigest}). */
final class Hashing {
    private Hashing() {}

    /**
     * Feeds a stream to the digest; returns its length. {@code expectedSize} (negative if not
     * known) sizes the buffer, by {@link VerifiedWrite#bufferSize}.
     */
    static long copy(InputStream in, MessageDigest digest, long expectedSize) throws IOException {
        byte[] buffer = new byte[VerifiedWrite.bufferSize(expectedSize)];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            digest.update(buffer, 0, n);
            total += n;
        }
        return total;
    }
}
