package io.polycache.web.turbo;

import io.polycache.store.EntryKey;
import io.polycache.store.EntryMeta;
import io.polycache.store.Names;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What Polycache takes from a Turborepo artifact upload: its hash (the key) and the two headers
 * turbo reads back on a hit, {@code x-artifact-duration} (the task's run time, reported as time
 * saved) and {@code x-artifact-tag} (the signature, when signing is on: without it a signed
 * artifact is a silent miss).
 */
final class TurboArtifact {
    static final String DURATION = "x-artifact-duration";
    static final String TAG = "x-artifact-tag";
    static final int MAX_HASH = 128;
    /** The spec's bound on the tag. */
    static final int MAX_TAG = 600;
    /** Milliseconds fit a long with room to spare. */
    static final int MAX_DURATION_DIGITS = 18;

    private TurboArtifact() {}

    /** The key of a hash ({@code ^[a-fA-F0-9]+$}, lower-cased), or empty when it is not one. */
    static Optional<EntryKey> key(String hash) {
        if (hash.isEmpty() || hash.length() > MAX_HASH || !Names.isHex(hash)) {
            return Optional.empty();
        }
        return Optional.of(new EntryKey(hash.toLowerCase(Locale.ROOT)));
    }

    /**
     * The headers to store with an upload.
     *
     * @throws IllegalArgumentException naming the header that is malformed
     */
    static Map<String, String> replayedHeaders(String duration, String tag) {
        Map<String, String> headers = new HashMap<>();
        if (duration != null) {
            if (duration.isEmpty() || duration.length() > MAX_DURATION_DIGITS || !duration.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException(DURATION + " must be a whole number of milliseconds");
            }
            headers.put(DURATION, duration);
        }
        if (tag != null) {
            if (tag.length() > MAX_TAG || !tag.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
                throw new IllegalArgumentException(TAG + " must be at most " + MAX_TAG + " visible ASCII characters");
            }
            headers.put(TAG, tag);
        }
        return headers;
    }

    /** The stored task duration in milliseconds; 0 when the upload gave none. */
    static long durationOf(EntryMeta meta) {
        String duration = meta.headers().get(DURATION);
        return duration == null ? 0 : Long.parseLong(duration);
    }
}
