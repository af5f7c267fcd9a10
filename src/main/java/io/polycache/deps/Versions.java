package io.polycache.deps;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The toolchain versions a request names (node and npm, or php), validated and in the order
 * the bundle hash takes them. The values end up in file names, so the format admits nothing
 * but digits, dots, letters and dashes.
 */
public record Versions(Map<String, String> byName) {
    public Versions {
        byName = Collections.unmodifiableMap(new LinkedHashMap<>(byName));
    }

    /**
     * Checks the versions a request gave against what its manager needs.
     *
     * @throws InvalidRequestException naming the missing, unexpected or malformed version
     */
    static Versions validate(Manager manager, Map<String, String> given) {
        if (given == null) {
            throw new InvalidRequestException("Missing field 'versions' (expected "
                    + String.join(" and ", manager.versionNames()) + " for " + manager.id() + ")");
        }
        for (String name : given.keySet()) {
            if (!manager.versionNames().contains(name)) {
                throw new InvalidRequestException("Unexpected version '" + name + "' for " + manager.id()
                        + " (expected " + String.join(" and ", manager.versionNames()) + ")");
            }
        }
        Map<String, String> ordered = new LinkedHashMap<>();
        for (String name : manager.versionNames()) {
            String version = given.get(name);
            if (version == null) {
                throw new InvalidRequestException("Missing version '" + name + "' for " + manager.id());
            }
            if (version.length() > 1 && version.charAt(0) == 'v' && Character.isDigit(version.charAt(1))) {
                version = version.substring(1); // as node --version prints it: v20.11.1 is 20.11.1
            }
            if (!isValid(version)) {
                throw new InvalidRequestException("Invalid version for '" + name + "': '" + version
                        + "' (expected dotted numbers with an optional pre-release suffix, e.g. 14.20.0 or 8.2.0-rc1)");
            }
            ordered.put(name, version);
        }
        return new Versions(ordered);
    }

    static boolean isValid(String version) {
        return io.polycache.config.VersionSyntax.isValid(version);
    }

    /**
     * Whether a valid version is {@code minimum} or later, comparing the dotted numbers; a
     * pre-release counts as before its release (10.3.0-pre is before 10.3.0).
     */
    static boolean atLeast(String version, String minimum) {
        int[] a = numbers(version);
        int[] b = numbers(minimum);
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            int x = i < a.length ? a[i] : 0;
            int y = i < b.length ? b[i] : 0;
            if (x != y) {
                return x > y;
            }
        }
        return !version.contains("-") || minimum.contains("-");
    }

    /** Whether a yarn version is Berry (2 and later, {@code @yarnpkg/cli-dist}) rather than classic 1.x. */
    static boolean isYarnBerry(String version) {
        return atLeast(version, "2.0.0-0");
    }

    private static int[] numbers(String version) {
        int dash = version.indexOf('-');
        String release = dash < 0 ? version : version.substring(0, dash);
        return java.util.Arrays.stream(release.split("\\.")).mapToInt(Integer::parseInt).toArray();
    }

    /** The versions part of an index file name: {@code <node>_<npm>} or {@code <php>}. */
    public String fileNamePart() {
        return String.join("_", byName.values());
    }
}
