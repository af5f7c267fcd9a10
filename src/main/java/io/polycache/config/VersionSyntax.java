package io.polycache.config;

import java.util.regex.Pattern;

/**
 * The one rule for toolchain versions, in settings and in requests alike: dotted numbers with
 * an optional pre-release suffix (14.20.0, 8.2, 20.0.0-rc.1), at most 64 characters. Versions
 * end up in file names, so nothing else is admitted.
 */
public final class VersionSyntax {
    private static final Pattern VERSION =
            Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,9}){0,3}(-[0-9A-Za-z]+(\\.[0-9A-Za-z]+)*)?");
    public static final int MAX_LENGTH = 64;

    private VersionSyntax() {}

    public static boolean isValid(String version) {
        return version != null && version.length() <= MAX_LENGTH && VERSION.matcher(version).matches();
    }
}
