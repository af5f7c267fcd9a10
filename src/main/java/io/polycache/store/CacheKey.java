package io.polycache.store;

import java.util.Locale;

/**
 * An artifact cache key: 32 to 128 hexadecimal characters, held lower-case. Parsing at the edge
 * means nothing else can see a key that could escape its shard directory.
 */
public record CacheKey(String value) {
    public static final int MIN_LENGTH = 32;
    public static final int MAX_LENGTH = 128;
    static final String FORMAT = MIN_LENGTH + " to " + MAX_LENGTH + " hexadecimal characters";

    public CacheKey {
        if (!isValid(value) || !value.equals(value.toLowerCase(Locale.ROOT))) {
            throw new InvalidKeyException(value, FORMAT);
        }
    }

    /** Parses a key as a client sent it, case-insensitively. */
    public static CacheKey parse(String text) {
        if (!isValid(text)) {
            throw new InvalidKeyException(text, FORMAT);
        }
        return new CacheKey(text.toLowerCase(Locale.ROOT));
    }

    private static boolean isValid(String text) {
        if (text == null || text.length() < MIN_LENGTH || text.length() > MAX_LENGTH) {
            return false;
        }
        return Names.isHex(text);
    }

    @Override
    public String toString() {
        return value;
    }
}
