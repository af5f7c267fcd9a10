package io.polycache.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The one way a backend hands a stored body to a reader: checked against its SHA-256 as it
 * streams, with the last chunk held back until the whole body has matched, so a damaged body
 * is cut short (the reader's connection ends early) and never arrives whole.
 */
public final class VerifiedCopy {
    private static final int CHUNK = 64 * 1024;

    private VerifiedCopy() {}

    /** The body read was not the one its metadata describes. */
    public static final class Mismatch extends IOException {
        Mismatch(String message) {
            super(message);
        }
    }

    /**
     * Copies the body {@code meta} describes from {@code in}: exactly {@code meta.size()} bytes,
     * never more.
     *
     * @param mustEnd also refuse a stream that goes on past the body (an object whose whole
     *                content is the body), rather than one that holds more (a file with a trailer)
     * @throws Mismatch when the body is shorter, longer or other than its metadata says
     */
    public static void copy(InputStream in, EntryMeta meta, boolean mustEnd, OutputStream out) throws IOException {
        MessageDigest sha = Sha256.newDigest();
        byte[] held = new byte[CHUNK];
        byte[] next = new byte[CHUNK];
        int heldLength = 0;
        long left = meta.size();
        while (left > 0) {
            int n = in.readNBytes(next, 0, (int) Math.min(next.length, left));
            if (n == 0) {
                throw new Mismatch("body ends after " + (meta.size() - left) + " of " + meta.size() + " bytes");
            }
            left -= n;
            sha.update(next, 0, n);
            out.write(held, 0, heldLength);
            byte[] swap = held;
            held = next;
            next = swap;
            heldLength = n;
        }
        if (mustEnd && in.read() >= 0) {
            throw new Mismatch("body is longer than the " + meta.size() + " bytes its metadata says");
        }
        String digest = HexFormat.of().formatHex(sha.digest());
        if (!digest.equals(meta.sha256())) {
            throw new Mismatch("body has SHA-256 " + digest + ", its metadata says " + meta.sha256());
        }
        out.write(held, 0, heldLength);
    }
}
