package io.polycache.store;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A SHA-256 digest as 64 lower-case hex characters: the name of a blob (its content's digest)
 * and of a bundle (the digest of its install inputs). Parsed at the edge, so a path built from
 * it cannot escape its shard.
 */
public record Sha256(String value) {
    public Sha256 {
        if (!isHex64(value) || !value.equals(value.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("not a lower-case SHA-256: " + value);
        }
    }

    /** Parses a digest as a client sent it, case-insensitively; empty-handed callers get null. */
    public static Sha256 parseOrNull(String text) {
        return isHex64(text) ? new Sha256(text.toLowerCase(Locale.ROOT)) : null;
    }

    public static Sha256 of(MessageDigest finished) {
        return new Sha256(HexFormat.of().formatHex(finished.digest()));
    }

    public static MessageDigest newDigest() {
        try {
            return (MessageDigest) PROTOTYPE.clone(); // spares the provider lookup of getInstance
        } catch (CloneNotSupportedException e) {
            return lookUp();
        }
    }

    /** Cloned for every digest. */
    private static final MessageDigest PROTOTYPE = lookUp();

    private static MessageDigest lookUp() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static boolean isHex64(String text) {
        return text != null && text.length() == 64 && Names.isHex(text);
    }

    @Override
    public String toString() {
        return value;
    }
}
