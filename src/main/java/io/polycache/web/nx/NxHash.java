package io.polycache.web.nx;

import io.polycache.store.EntryKey;
import java.util.Optional;

/** An Nx task hash: a decimal unsigned 64-bit number (19 or 20 digits as seen from Nx 20.8 to 24). */
final class NxHash {
    private NxHash() {}

    /** The key of a hash in its canonical decimal form, or empty when it is not one. */
    static Optional<EntryKey> parse(String hash) {
        if (hash.isEmpty() || hash.length() > 20 || !hash.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        try {
            // Canonical form, so that 007 and 7 cannot become two entries of one hash.
            return Optional.of(new EntryKey(Long.toUnsignedString(Long.parseUnsignedLong(hash))));
        } catch (NumberFormatException e) {
            return Optional.empty(); // above 2^64 - 1
        }
    }
}
