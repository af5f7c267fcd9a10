package io.polycache.config;

/** A configuration parameter with a value that cannot be used; the message names both. */
public final class SettingsException extends RuntimeException {
    public SettingsException(String message) {
        super(message);
    }

    static SettingsException invalid(String name, String value, String expected) {
        return new SettingsException(
                "Invalid value for " + name + ": '" + value + "' (expected " + expected + ")");
    }
}
