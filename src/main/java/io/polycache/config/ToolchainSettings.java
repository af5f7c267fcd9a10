package io.polycache.config;

import java.util.List;

/**
 * Which toolchain versions installs may use, and how the server honours them.
 *
 * @param npmVersions       supported {@code node:npm} pairs; empty means any
 * @param phpVersions       supported PHP versions; empty means any
 * @param provision         whether Node and npm versions the host lacks are fetched from the
 *                          npm registry into {@code <storage>/toolchains/}
 * @param container         how installs run in a container when the host cannot honour the
 *                          versions (or they are outside the supported lists)
 * @param packageCacheMaxSize bytes the package managers' download caches ({@code pm-cache/})
 *                          may hold at start-up before they are emptied
 */
public record ToolchainSettings(List<NodeNpm> npmVersions, List<String> phpVersions, boolean provision,
        ContainerSettings container, long packageCacheMaxSize) {
    /** The default of {@code polycache.packageCache.maxSize}: 2 GiB. */
    public static final long DEFAULT_PACKAGE_CACHE_MAX_SIZE = 2L << 30;

    public ToolchainSettings {
        npmVersions = List.copyOf(npmVersions);
        phpVersions = List.copyOf(phpVersions);
    }

    public ToolchainSettings(List<NodeNpm> npmVersions, List<String> phpVersions, boolean provision,
            ContainerSettings container) {
        this(npmVersions, phpVersions, provision, container, DEFAULT_PACKAGE_CACHE_MAX_SIZE);
    }

    /** One supported Node release with the npm release that goes with it. */
    public record NodeNpm(String node, String npm) {
        @Override
        public String toString() {
            return node + ":" + npm;
        }
    }

    /**
     * The container fallback.
     *
     * @param enabled       whether installs the host cannot honour run in a container
     * @param command       {@code docker} or {@code podman}, or a path to either
     * @param npmImage      image template; {@code {node}} (and optionally {@code {npm}}) are replaced
     * @param composerImage image template; {@code {php}} is replaced
     * @param extraArgs     options inserted after {@code run}, e.g. {@code --runtime /usr/sbin/runc}
     */
    public record ContainerSettings(boolean enabled, String command, String npmImage, String composerImage,
            List<String> extraArgs) {
        public ContainerSettings {
            extraArgs = List.copyOf(extraArgs);
        }
    }
}
