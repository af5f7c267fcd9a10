package io.polycache.deps;

/**
 * How an install honours the toolchain versions its request names; chosen before the install
 * is queued, so that a request no route can honour is refused at once.
 */
public sealed interface Route {
    /** The server's own node/npm or php are exactly the requested ones. */
    record Host() implements Route {}

    /** Node and npm fetched from the npm registry into {@code toolchains/}. */
    record Provisioned(String node, String npm) implements Route {}

    /**
     * A JavaScript package manager (pnpm, yarn) fetched from the npm registry into
     * {@code toolchains/}, run by the host's node when it is the requested one, else by a
     * provisioned node.
     *
     * @param node the node version, or null for the host's own
     */
    record ProvisionedTool(String node, Manager manager, String version) implements Route {}

    /**
     * A container of {@code image}; for npm, the requested npm release (provisioned, pure
     * JavaScript) is mounted into it and run by the image's node.
     *
     * @param npm the npm version to mount, or null for composer
     */
    record Container(String image, String npm) implements Route {}
}
