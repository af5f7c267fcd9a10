package io.polycache.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable set of keys, held only as SHA-256 digests. Lookups compare the digest of the
 * presented key with every entry in constant time and without an early exit, so neither the
 * position of a match nor a shared prefix shows in the timing.
 */
public final class ApiKeys {
    /**
     * One key: the SHA-256 of its text, its scope, and the Turborepo teams it may reach (empty:
     * every team).
     */
    public record Entry(byte[] digest, Scope scope, Set<String> teams) {
        public Entry {
            teams = Set.copyOf(teams);
        }

        public Entry(byte[] digest, Scope scope) {
            this(digest, scope, Set.of());
        }

        /** Whether this key may reach {@code team}. */
        public boolean reaches(String team) {
            return teams.isEmpty() || teams.contains(team);
        }
    }

    private final List<Entry> entries;

    public ApiKeys(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** The scope of the presented key, or empty when it is not a known key. */
    public Optional<Scope> scopeOf(String presentedKey) {
        return find(presentedKey).map(Entry::scope);
    }

    /** The entry of the presented key (its scope and teams), or empty when it is not a known key. */
    public Optional<Entry> find(String presentedKey) {
        byte[] digest = sha256(presentedKey);
        Entry match = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(digest, entry.digest()) && match == null) {
                match = entry;
            }
        }
        return Optional.ofNullable(match);
    }

    public int size() {
        return entries.size();
    }

    public long readOnlyCount() {
        return entries.stream().filter(e -> e.scope() == Scope.READ_ONLY).count();
    }

    static byte[] sha256(String text) {
        return io.polycache.store.Sha256.newDigest().digest(text.getBytes(StandardCharsets.UTF_8));
    }
}
