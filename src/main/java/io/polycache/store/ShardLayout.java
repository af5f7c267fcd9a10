package io.polycache.store;

import java.nio.file.Path;

/**
 * Where each kind of entry lives under the storage directory. Pure functions of the key: the
 * first four characters of a key name two directory levels ({@code aa/bb}), so that no directory
 * grows past 65,536 children of children.
 */
public final class ShardLayout {
    private final Path root;

    public ShardLayout(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** In-flight writes; same filesystem as everything else, so commits are renames. */
    public Path tmp() {
        return root.resolve("tmp");
    }

    /** The accounting, written at shutdown and read at start-up. */
    public Path ledgerSnapshot() {
        return root.resolve("ledger.snapshot");
    }

    public Path artifactsDir() {
        return root.resolve("artifacts");
    }

    public Path artifactData(CacheKey key) {
        return shard(artifactsDir(), key.value()).resolve(key.value() + ".zst");
    }

    public Path artifactMetadata(CacheKey key) {
        return shard(artifactsDir(), key.value()).resolve(key.value() + ".json");
    }

    /** {@code base/aa/bb}, for a name of at least four safe characters. */
    static Path shard(Path base, String name) {
        return base.resolve(name.substring(0, 2)).resolve(name.substring(2, 4));
    }
}
