package io.polycache.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * An immutable set of keys, held only as SHA-256 digests. Lookups compare the digest of the
 * presented key with every entry in constant time and without an early exit, so neither the
 * position of a match nor a shared prefix shows in the timing.
 */
public final class ApiKeys {
    /** One key: the SHA-256 of its text and its scope. */
    public record Entry(byte[] digest, Scope scope) {}

    private final List<Entry> entries;

    public ApiKeys(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** The scope of the presented key, or empty when it is not a known key. */
    public Optional<Scope> scopeOf(String presentedKey) {
        byte[] digest = sha256(presentedKey);
        Scope match = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(digest, entry.digest()) && match == null) {
                match = entry.scope();
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
