package io.polycache.config;

/**
 * The background scrub's parameters.
 *
 * @param bytesPerSecond  how fast stored bytes are read back and checked; 0 turns the scrub off
 * @param intervalSeconds the pause between the end of one pass over the store and the next
 */
public record ScrubSettings(long bytesPerSecond, int intervalSeconds) {
    public boolean enabled() {
        return bytesPerSecond > 0;
    }
}
