package io.polycache.store;

/**
 * A key within a namespace, as the store sees it: one safe path segment (see
 * {@link Names#isSafeSegment}) of at most {@value #MAX_LENGTH} characters. Protocol adapters
 * parse their clients' keys into this form at the edge; nothing else can reach a file name.
 */
public record EntryKey(String value) {
    public static final int MAX_LENGTH = 200;

    public EntryKey {
        if (!Names.isSafeSegment(value, MAX_LENGTH)) {
            throw new InvalidKeyException(value);
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
