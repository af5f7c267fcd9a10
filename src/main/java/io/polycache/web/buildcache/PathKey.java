package io.polycache.web.buildcache;

import io.polycache.store.EntryKey;
import io.polycache.store.InvalidKeyException;
import io.polycache.store.Names;
import io.polycache.store.Sha256;
import java.nio.charset.StandardCharsets;

/**
 * The one rule for clients whose keys are paths (ccache's {@code ab/rest}, Maven's
 * {@code v1.2/group/artifact/checksum/file}, a team prefix before a Gradle key): a path of safe
 * segments becomes one flat {@link EntryKey}, without collisions.
 *
 * <p>Each segment must be a safe name ({@link Names#isSafeSegment}: no {@code ..}, no NUL, no
 * separator) without {@code ~}; the segments are joined with {@code ~}, so no two paths give the
 * same key. A joined key longer than {@link EntryKey#MAX_LENGTH} becomes {@code ~} plus the
 * SHA-256 of the path: no joined key starts with {@code ~}, so these cannot meet either.
 */
public final class PathKey {
    static final int MAX_SEGMENTS = 16;
    static final int MAX_PATH = 1024;
    private static final char SEPARATOR = '~';

    private PathKey() {}

    /** The key of {@code path} (segments separated by {@code /}, no leading slash). */
    public static EntryKey of(String path) {
        if (path.isEmpty() || path.length() > MAX_PATH) {
            throw new InvalidKeyException(shown(path));
        }
        String[] segments = path.split("/", -1);
        if (segments.length > MAX_SEGMENTS) {
            throw new InvalidKeyException(shown(path));
        }
        for (String segment : segments) {
            if (!Names.isSafeSegment(segment, EntryKey.MAX_LENGTH) || segment.indexOf(SEPARATOR) >= 0) {
                throw new InvalidKeyException(shown(path));
            }
        }
        String joined = String.join(String.valueOf(SEPARATOR), segments);
        if (joined.length() <= EntryKey.MAX_LENGTH) {
            return new EntryKey(joined);
        }
        var digest = Sha256.newDigest();
        digest.update(joined.getBytes(StandardCharsets.UTF_8));
        return new EntryKey(SEPARATOR + Sha256.of(digest).value());
    }

    /** A bounded, printable form of a refused key for the error message. */
    static String shown(String path) {
        String cut = path.length() > 120 ? path.substring(0, 120) + "..." : path;
        StringBuilder out = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> out.append(c < 0x20 || c == 0x7f ? '?' : (char) c));
        return out.toString();
    }
}
