package io.polycache.store;

/**
 * The one rule for names that become parts of a path under the storage directory: letters,
 * digits, {@code .}, {@code _}, {@code -} and {@code ~}, not starting with a dot (so neither
 * {@code .} nor {@code ..} nor a hidden file), and bounded in length.
 */
public final class Names {
    private Names() {}

    public static boolean isSafeSegment(String segment, int maxLength) {
        if (segment == null || segment.isEmpty() || segment.length() > maxLength || segment.charAt(0) == '.') {
            return false;
        }
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-' || c == '~';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Whether every character of {@code text} is a lower-case hexadecimal digit. */
    public static boolean isLowerHex(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    /** Whether every character of {@code text} is a hexadecimal digit of either case. */
    public static boolean isHex(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code path} is a clean relative path inside an archive or a tree: '/'-separated,
     * not absolute, no empty, {@code .} or {@code ..} segment, no backslash or NUL. The one rule
     * for artifact entries and installed trees alike.
     */
    public static boolean isCleanRelativePath(String path) {
        if (path == null || path.isEmpty() || path.startsWith("/") || path.indexOf('\\') >= 0
                || path.indexOf('\0') >= 0) {
            return false;
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
