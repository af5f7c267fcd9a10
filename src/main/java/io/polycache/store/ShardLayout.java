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

    /** Where Polykit artifacts lived before entries took one file each (converted at start-up). */
    public Path legacyArtifactsDir() {
        return root.resolve("artifacts");
    }

    /** Every protocol's entries: {@code entries/<namespace>/aa/bb/<key>}. */
    public Path entriesDir() {
        return root.resolve("entries");
    }

    /** One string, one resolve: this runs on every entry read. */
    public Path entry(Namespace namespace, EntryKey key) {
        return root.resolve("entries/" + namespace.name() + '/' + shardOf(key.value()) + '/' + key.value());
    }

    /**
     * {@code aa/bb} for a key, from a spread of its hash code (specified by the JDK, so stable
     * across runs): keys of every shape (decimal Nx hashes, Maven coordinates) fill the shards
     * evenly, not only hexadecimal ones.
     */
    static String shardOf(String key) {
        int h = key.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        char[] hex = new char[5];
        String digits = "0123456789abcdef";
        hex[0] = digits.charAt((h >>> 12) & 0xf);
        hex[1] = digits.charAt((h >>> 8) & 0xf);
        hex[2] = '/';
        hex[3] = digits.charAt((h >>> 4) & 0xf);
        hex[4] = digits.charAt(h & 0xf);
        return new String(hex);
    }

    /** Deduplicated file blobs of installed dependencies, named by their content's SHA-256. */
    public Path objectsDir() {
        return root.resolve("objects");
    }

    public Path object(Sha256 blob) {
        return shard(objectsDir(), blob.value()).resolve(blob.value());
    }

    /** Bundle indexes: which blob, mode or link each installed path has. */
    public Path indexesDir() {
        return root.resolve("indexes");
    }

    /** The directory where the index of a bundle is, whatever its manager and versions. */
    public Path indexShard(Sha256 bundle) {
        return shard(indexesDir(), bundle.value());
    }

    /**
     * {@code indexes/aa/bb/<hash>.<manager>.<versions>.index}. The manager and versions are
     * validated by the caller to hold only letters, digits, dots, dashes and underscores.
     */
    public Path index(Sha256 bundle, String manager, String versions) {
        return indexShard(bundle).resolve(bundle.value() + "." + manager + "." + versions + ".index");
    }

    /** Assembled ZIPs; rebuildable from the index and the blobs. */
    public Path bundlesDir() {
        return root.resolve("bundles");
    }

    public Path bundle(Sha256 bundle) {
        return shard(bundlesDir(), bundle.value()).resolve(bundle.value() + ".zip");
    }

    /**
     * Package managers' download caches, shared by every install. Outside {@code tmp/}, which
     * is emptied at start-up, so the caches outlive restarts.
     */
    public Path packageManagerCache(String manager) {
        return root.resolve("pm-cache").resolve(manager);
    }

    /**
     * Provisioned Node and npm releases, one directory each. Outside {@code tmp/}: a toolchain
     * is fetched once and kept across restarts.
     */
    public Path toolchains() {
        return root.resolve("toolchains");
    }

    /** {@code base/aa/bb}, for a name of at least four safe characters. */
    static Path shard(Path base, String name) {
        return base.resolve(name.substring(0, 2)).resolve(name.substring(2, 4));
    }
}
