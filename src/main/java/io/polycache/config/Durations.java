package io.polycache.config;

import java.time.Duration;
import java.util.Locale;

/** The one syntax of durations in settings: a whole number with {@code s}, {@code m}, {@code h} or {@code d}. */
public final class Durations {
    private Durations() {}

    /** {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d}; null when malformed, zero or past 10,000 days. */
    static Duration parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.length() < 2 || s.length() > 10) {
            return null;
        }
        String digits = s.substring(0, s.length() - 1);
        if (!digits.chars().allMatch(Character::isDigit)) {
            return null;
        }
        long n = Long.parseLong(digits);
        long seconds = switch (s.charAt(s.length() - 1)) {
            case 's' -> n;
            case 'm' -> n * 60;
            case 'h' -> n * 3600;
            case 'd' -> n * 86400;
            default -> -1;
        };
        if (seconds < 1 || seconds > 10_000L * 86400) {
            return null;
        }
        return Duration.ofSeconds(seconds);
    }

    /** The shortest form {@link #parse} reads back to the same duration. */
    public static String format(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds % 86400 == 0) {
            return seconds / 86400 + "d";
        }
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }
}
