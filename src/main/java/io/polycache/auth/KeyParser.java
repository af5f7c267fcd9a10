package io.polycache.auth;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The key file format: one entry a line, the key itself or {@code sha256:<hex>} (so the file
 * need not hold secrets), optionally followed by a scope, {@code rw} (default) or {@code ro}.
 * {@code #} starts a comment; blank lines are ignored.
 */
public final class KeyParser {
    static final String HASHED = "sha256:";

    private KeyParser() {}

    /**
     * Parses a whole file.
     *
     * @param source names the file in error messages
     * @throws KeyFileException naming the first malformed line
     */
    public static List<ApiKeys.Entry> parseLines(List<String> lines, String source) throws KeyFileException {
        List<ApiKeys.Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            ApiKeys.Entry entry = parseEntry(lines.get(i), source + " line " + (i + 1));
            if (entry != null) {
                entries.add(entry);
            }
        }
        return entries;
    }

    /** Parses one entry; null for a blank or comment-only line. */
    static ApiKeys.Entry parseEntry(String line, String where) throws KeyFileException {
        List<String> tokens = new ArrayList<>();
        for (String token : line.strip().split("\\s+")) {
            if (token.startsWith("#")) {
                break;
            }
            if (!token.isEmpty()) {
                tokens.add(token);
            }
        }
        if (tokens.isEmpty()) {
            return null;
        }
        if (tokens.size() > 2) {
            throw new KeyFileException(where + ": expected a key and an optional scope (rw or ro), found "
                    + tokens.size() + " words");
        }
        Scope scope = Scope.READ_WRITE;
        if (tokens.size() == 2) {
            scope = Scope.ofToken(tokens.get(1).toLowerCase(Locale.ROOT));
            if (scope == null) {
                throw new KeyFileException(where + ": unknown scope '" + tokens.get(1) + "' (expected rw or ro)");
            }
        }
        return new ApiKeys.Entry(digestOf(tokens.get(0), where), scope);
    }

    private static byte[] digestOf(String key, String where) throws KeyFileException {
        if (key.regionMatches(true, 0, HASHED, 0, HASHED.length())) {
            String hex = key.substring(HASHED.length());
            if (hex.length() != 64 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new KeyFileException(where + ": a sha256: entry needs 64 hexadecimal characters");
            }
            return HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT));
        }
        return ApiKeys.sha256(key);
    }
}
