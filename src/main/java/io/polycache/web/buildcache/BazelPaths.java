package io.polycache.web.buildcache;

import io.polycache.store.EntryKey;
import io.polycache.store.EntryVerifier;
import io.polycache.store.InvalidKeyException;
import io.polycache.store.Names;
import io.polycache.store.Namespace;
import io.polycache.store.WritePolicy;

/**
 * Bazel's HTTP cache paths: {@code [instance/…/]ac/<sha256>} and {@code [instance/…/]cas/<sha256>},
 * lower-case hex. Instance-name segments are accepted and ignored, as bazel-remote does.
 *
 * <p>CAS blobs are named by the SHA-256 of their bytes: an upload is verified while it streams
 * (400 and nothing stored when it differs), a re-upload of a stored blob succeeds without
 * storing it again (Bazel re-sends every blob on every miss, and one refusal makes it skip the
 * action's AC write), and the empty blob always exists (Bazel references it without uploading
 * it). AC entries (ActionResults) are replaced: the same action's result routinely differs.
 */
final class BazelPaths {
    static final Namespace AC = new Namespace("bazel/ac", WritePolicy.REPLACE);
    static final Namespace CAS = new Namespace("bazel/cas", WritePolicy.WRITE_ONCE_ACCEPT);
    /** SHA-256 of no bytes. */
    static final String EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final int MAX_INSTANCE_SEGMENTS = 8;

    private BazelPaths() {}

    static Target parse(BuildCache cache, String rest) {
        String[] segments = rest.split("/", -1);
        int n = segments.length;
        if (n < 2 || n > 2 + MAX_INSTANCE_SEGMENTS) {
            throw new InvalidKeyException(PathKey.shown(rest));
        }
        for (int i = 0; i < n - 2; i++) {
            if (!Names.isSafeSegment(segments[i], 64)) {
                throw new InvalidKeyException(PathKey.shown(rest));
            }
        }
        String kind = segments[n - 2];
        String hash = segments[n - 1];
        if (hash.length() != 64 || !Names.isLowerHex(hash)) {
            throw new InvalidKeyException(PathKey.shown(rest));
        }
        EntryKey key = new EntryKey(hash);
        return switch (kind) {
            case "ac" -> Target.opaque(cache, AC, key);
            case "cas" -> new Target(cache, CAS, key, EntryVerifier.sha256Equals(hash,
                    actual -> new Refusal(400, "Body SHA-256 " + actual + " does not match the CAS key " + hash)),
                    hash.equals(EMPTY));
            default -> throw new InvalidKeyException(PathKey.shown(rest));
        };
    }
}
