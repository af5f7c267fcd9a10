package io.polycache.auth;

import java.util.ArrayList;
import java.util.HexFormat;
import io.polycache.store.Names;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The key file format: one entry a line, the key itself or {@code sha256:<hex>} (so the file
 * need not hold secrets), optionally followed by a scope, {@code rw} (default) or {@code ro}, and
 * by {@code teams=a,b}: the Turborepo teams the key may reach (without it, every team).
 * {@code #} starts a comment; blank lines are ignored.
 */
public final class KeyParser {
    static final String HASHED = "sha256:";
    static final String TEAMS = "teams=";
    /** Longest team name: a namespace segment. */
    public static final int MAX_TEAM = 64;

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
        Scope scope = null;
        Set<String> teams = null;
        for (String option : tokens.subList(1, tokens.size())) {
            String lower = option.toLowerCase(Locale.ROOT);
            if (lower.startsWith(TEAMS)) {
                if (teams != null) {
                    throw new KeyFileException(where + ": teams= is given twice");
                }
                teams = teamsOf(option.substring(TEAMS.length()), where);
            } else if (scope == null && Scope.ofToken(lower) != null) {
                scope = Scope.ofToken(lower);
            } else if (scope != null && Scope.ofToken(lower) != null) {
                throw new KeyFileException(where + ": the scope is given twice");
            } else {
                throw new KeyFileException(where + ": unknown word '" + option
                        + "' (expected a scope, rw or ro, and an optional teams=a,b)");
            }
        }
        return new ApiKeys.Entry(digestOf(tokens.get(0), where), scope == null ? Scope.READ_WRITE : scope,
                teams == null ? Set.of() : teams);
    }

    /** A comma-separated team list: each team a name Turborepo sends as its slug or team id. */
    private static Set<String> teamsOf(String list, String where) throws KeyFileException {
        Set<String> teams = new LinkedHashSet<>();
        for (String team : list.split(",", -1)) {
            if (!Names.isSafeSegment(team, MAX_TEAM)) {
                throw new KeyFileException(where + ": '" + team + "' is not a team name (letters, digits, . _ - ~,"
                        + " at most " + MAX_TEAM + " characters, separated by commas)");
            }
            teams.add(team);
        }
        return teams;
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
