package io.polycache.bundle;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What may be in a bundle. Every entry lies under the root folder ({@code node_modules},
 * {@code vendor}) or is a single top-level file (a lockfile the install generated); every link
 * resolves inside the root folder. So unzipping a bundle into a project directory writes
 * nothing outside it and leaves no link out of it.
 */
public final class BundlePaths {
    private BundlePaths() {}

    /** @throws UnsafeEntryException if the entry could land or point outside the bundle */
    public static void check(String root, IndexEntry entry) {
        String path = entry.path();
        if (!io.polycache.store.Names.isCleanRelativePath(path)) {
            throw new UnsafeEntryException("unsafe path '" + path + "'");
        }
        boolean underRoot = path.startsWith(root + "/");
        boolean topLevelFile = path.indexOf('/') < 0 && !entry.isLink();
        if (!underRoot && !topLevelFile) {
            throw new UnsafeEntryException("'" + path + "' is outside " + root + "/");
        }
        if (entry.isLink() && !resolvesUnder(root, path, entry.linkTarget())) {
            throw new UnsafeEntryException("link '" + path + "' points outside " + root + "/: " + entry.linkTarget());
        }
    }

    /** Whether a relative link target, taken from the link's directory, stays under root. */
    static boolean resolvesUnder(String root, String linkPath, String target) {
        if (target.isEmpty() || target.startsWith("/") || target.indexOf('\\') >= 0 || target.indexOf('\0') >= 0) {
            return false;
        }
        Deque<String> resolved = new ArrayDeque<>();
        String[] linkSegments = linkPath.split("/");
        for (int i = 0; i < linkSegments.length - 1; i++) {
            resolved.addLast(linkSegments[i]);
        }
        for (String segment : target.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (resolved.isEmpty()) {
                    return false;
                }
                resolved.removeLast();
            } else {
                resolved.addLast(segment);
            }
        }
        return resolved.size() >= 2 && resolved.peekFirst().equals(root);
    }
}
