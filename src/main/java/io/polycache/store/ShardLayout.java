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
        return artifactFile(key, ".zst");
    }

    public Path artifactMetadata(CacheKey key) {
        return artifactFile(key, ".json");
    }

    /** One string, one resolve: this runs twice on every artifact read. */
    private Path artifactFile(CacheKey key, String suffix) {
        String name = key.value();
        return root.resolve("artifacts/" + name.substring(0, 2) + '/' + name.substring(2, 4) + '/' + name + suffix);
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
