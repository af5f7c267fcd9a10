package io.polycache.config;

import java.time.Duration;
import java.util.Locale;

/**
 * How the shared bucket is kept bounded (README, "Retention on the shared store").
 *
 * @param mode            {@code lifecycle}: the bucket's lifecycle rules delete by last use,
 *                        Polycache refreshes what is used and sweeps unreferenced blobs;
 *                        {@code janitor}: one node at a time deletes least recently used objects
 *                        until the bucket is under {@code polycache.maxCacheSize};
 *                        {@code none}: Polycache neither refreshes nor deletes anything
 * @param touchAfter      an entry used that was last refreshed longer ago than this is refreshed
 * @param janitorInterval the time between janitor rounds (fleet-wide)
 * @param janitorLease    how long a janitor's lease lasts unless renewed: how soon another node
 *                        takes over from one that died
 * @param blobGrace       a dependency blob no index references is deleted only once it is older
 *                        than this (covers installs in flight)
 */
public record RetentionSettings(Mode mode, Duration touchAfter, Duration janitorInterval, Duration janitorLease,
        Duration blobGrace) {

    public enum Mode {
        LIFECYCLE, JANITOR, NONE;

        static Mode parse(String name, String value) {
            for (Mode mode : values()) {
                if (mode.name().equalsIgnoreCase(value)) {
                    return mode;
                }
            }
            throw SettingsException.invalid(name, value, "lifecycle, janitor or none");
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The defaults, as {@link Settings#DEFAULTS} gives them. */
    public static final RetentionSettings DEFAULT = new RetentionSettings(Mode.LIFECYCLE, Duration.ofDays(1),
            Duration.ofMinutes(10), Duration.ofMinutes(5), Duration.ofDays(1));

    /** Whether entries used are refreshed (their {@code Last-Modified} made "last used"). */
    public boolean touches() {
        return mode != Mode.NONE;
    }

    @Override
    public String toString() {
        return mode + (mode == Mode.NONE ? "" : ", touchAfter=" + Durations.format(touchAfter))
                + (mode == Mode.JANITOR ? ", janitorInterval=" + Durations.format(janitorInterval)
                        + ", janitorLease=" + Durations.format(janitorLease) : "")
                + (mode == Mode.NONE ? "" : ", blobGrace=" + Durations.format(blobGrace));
    }
}
