package io.polycache.metrics;

/** What an entry read came to: a hit, a miss, or a failure (counted as an error, never as a hit). */
public enum ReadOutcome { HIT, MISS, ERROR }
