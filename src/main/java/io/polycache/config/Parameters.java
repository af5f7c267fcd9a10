package io.polycache.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Typed reads of raw {@code polycache.*} parameters. Every parse failure is a
 * {@link SettingsException} naming the parameter and the value.
 */
final class Parameters {
    private final Function<String, String> raw;

    Parameters(Function<String, String> raw) {
        this.raw = raw;
    }

    /** The trimmed value, or the default when the parameter is absent or blank. */
    String string(String name) {
        String value = raw.apply(name);
        if (value == null || value.isBlank()) {
            return Settings.DEFAULTS.getOrDefault(name, "");
        }
        return value.trim();
    }

    /** A comma-separated list, without blank items. */
    List<String> list(String name) {
        List<String> items = new ArrayList<>();
        for (String item : string(name).split(",")) {
            if (!item.isBlank()) {
                items.add(item.strip());
            }
        }
        return List.copyOf(items);
    }

    /** Whitespace-separated words, e.g. extra command-line options. */
    List<String> words(String name) {
        String value = string(name);
        return value.isEmpty() ? List.of() : List.of(value.split("\\s+"));
    }

    /**
     * An image name template that must contain {@code placeholder}: without it every version
     * would run in the same image, which is exactly what the template exists to prevent. Only
     * characters of image references are allowed, besides the placeholders.
     */
    String imageTemplate(String name, String placeholder) {
        String value = string(name);
        String bare = value.replace("{node}", "0").replace("{npm}", "0").replace("{php}", "0");
        if (!value.contains(placeholder) || !bare.matches("[a-z0-9][a-z0-9._/:@-]*") || bare.contains("..")) {
            throw SettingsException.invalid(name, value, "an image name containing " + placeholder);
        }
        return value;
    }

    Path path(String name) {
        String value = string(name);
        if (value.isEmpty() || value.indexOf('\0') >= 0) {
            throw SettingsException.invalid(name, value, "a directory path");
        }
        return Path.of(value).toAbsolutePath().normalize();
    }

    /**
     * An absolute http(s) URL without a trailing slash, or "" when unset: the public address of
     * the service, for links it hands out when it sits behind a proxy.
     */
    String baseUrl(String name) {
        String value = string(name);
        if (value.isEmpty()) {
            return "";
        }
        try {
            java.net.URI uri = new java.net.URI(value);
            boolean http = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
            if (http && uri.getHost() != null && uri.getQuery() == null && uri.getFragment() == null) {
                return value.replaceAll("/+$", "");
            }
        } catch (java.net.URISyntaxException e) {
            // reported below
        }
        throw SettingsException.invalid(name, value, "an absolute http or https URL without query or fragment");
    }

    boolean bool(String name) {
        String value = string(name).toLowerCase(Locale.ROOT);
        return switch (value) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0", "" -> false;
            default -> throw SettingsException.invalid(name, value, "true or false");
        };
    }

    int positiveInt(String name) {
        String value = string(name);
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw SettingsException.invalid(name, value, "a positive whole number");
    }

    /** A size: plain bytes, or a number with a k, m or g suffix (binary units). */
    long size(String name) {
        String value = string(name);
        long size = parseSize(value);
        if (size <= 0) {
            throw SettingsException.invalid(name, value,
                    "a positive size in bytes, or with a k, m or g suffix");
        }
        return size;
    }

    /** A duration: {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d} (at least one second). */
    java.time.Duration duration(String name) {
        String value = string(name);
        java.time.Duration duration = Durations.parse(value);
        if (duration == null) {
            throw SettingsException.invalid(name, value,
                    "a duration: a whole number with s, m, h or d, e.g. 30s, 5m, 1h, 1d (at least 1s)");
        }
        return duration;
    }

    /** A size, or {@code absent} when the parameter is empty. */
    long optionalSize(String name, long absent) {
        return string(name).isEmpty() ? absent : size(name);
    }

    /** {@code N%} (1 to 100) as N; 0 when the value is not a percentage. */
    int percentOrZero(String name) {
        String value = string(name);
        if (!value.endsWith("%")) {
            return 0;
        }
        String digits = value.substring(0, value.length() - 1).strip();
        if (!digits.isEmpty() && digits.length() <= 3 && digits.chars().allMatch(Character::isDigit)) {
            int percent = Integer.parseInt(digits);
            if (percent >= 1 && percent <= 100) {
                return percent;
            }
        }
        throw SettingsException.invalid(name, value, "a size, a percentage from 1% to 100%, or unlimited");
    }

    /** A size, or {@code unlimited} (for which {@code unlimitedValue} is returned). */
    long sizeOrUnlimited(String name, long unlimitedValue) {
        String value = string(name);
        if (value.equalsIgnoreCase("unlimited")) {
            return unlimitedValue;
        }
        long size = parseSize(value);
        if (size <= 0) {
            throw SettingsException.invalid(name, value, "a size, a percentage from 1% to 100%, or unlimited");
        }
        return size;
    }

    /** The size of the filesystem that holds {@code dir} (or will, once it is created). */
    static long totalSpace(String name, Path dir) {
        Path existing = dir;
        while (existing != null && !java.nio.file.Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            if (existing == null) {
                throw new java.io.IOException("no existing parent");
            }
            return java.nio.file.Files.getFileStore(existing).getTotalSpace();
        } catch (java.io.IOException e) {
            throw new SettingsException("Cannot size the filesystem of " + dir + " for " + name + ": " + e.getMessage()
                    + "; give " + name + " as a size instead");
        }
    }

    private static final Map<Character, Long> UNITS = Map.of(
            'k', 1L << 10, 'm', 1L << 20, 'g', 1L << 30, 't', 1L << 40);

    /** Parses {@code 1073741824}, {@code 512k}, {@code 1g}, {@code 1GiB}, {@code 1gb}; -1 if malformed. */
    static long parseSize(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("ib")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("b")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty()) {
            return -1;
        }
        long unit = 1;
        Long suffix = UNITS.get(s.charAt(s.length() - 1));
        if (suffix != null) {
            unit = suffix;
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty() || !s.chars().allMatch(Character::isDigit) || s.length() > 18) {
            return -1;
        }
        long n = Long.parseLong(s);
        if (n > Long.MAX_VALUE / unit) {
            return -1;
        }
        return n * unit;
    }
}
