package io.polycache.deps;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The toolchain versions a request names (node and npm, or php), validated and in the order
 * the bundle hash takes them. The values end up in file names, so the format admits nothing
 * but digits, dots, letters and dashes.
 */
public record Versions(Map<String, String> byName) {
    /** Dotted numbers with an optional pre-release suffix: 14.20.0, 8.2, 20.0.0-rc.1. */
    private static final Pattern VERSION =
            Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,9}){0,3}(-[0-9A-Za-z]+(\\.[0-9A-Za-z]+)*)?");
    private static final int MAX_LENGTH = 64;

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
        return version.length() <= MAX_LENGTH && VERSION.matcher(version).matches();
    }

    /** The versions part of an index file name: {@code <node>_<npm>} or {@code <php>}. */
    public String fileNamePart() {
        return String.join("_", byName.values());
    }
}
