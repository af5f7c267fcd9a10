package io.polycache.deps;

import io.polycache.config.ToolchainSettings;
import io.polycache.config.ToolchainSettings.NodeNpm;
import java.io.IOException;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Chooses how an install honours the versions its request names: the host's own tools when they
 * are exactly those versions, else provisioned Node and npm, else a container; a request none
 * of these can honour, or one outside the supported lists while the container fallback is off,
 * is refused (400) before anything is queued.
 */
final class Toolchains {
    private final ToolchainSettings settings;
    private final HostProbe host;
    private final ContainerCommand container;

    /** The host's versions; {@link HostTools#found()} in production. */
    @FunctionalInterface
    interface HostProbe {
        HostTools.Found found() throws IOException, InterruptedException;
    }

    Toolchains(ToolchainSettings settings, HostProbe host, ContainerCommand container) {
        this.settings = settings;
        this.host = host;
        this.container = container;
    }

    /** @throws InvalidRequestException when the versions are unsupported or cannot be honoured */
    Route route(InstallRequest request) throws IOException, InterruptedException {
        return switch (request.manager()) {
            case NPM -> npmRoute(request.versions().byName().get("node"), request.versions().byName().get("npm"));
            case COMPOSER -> composerRoute(request.versions().byName().get("php"));
            case PNPM, YARN -> toolRoute(request.manager(), request.versions().byName().get("node"),
                    request.versions().byName().get(request.manager().id()));
        };
    }

    /**
     * pnpm and yarn are always provisioned (they are plain npm packages); node is the host's when
     * it is exactly the requested one, else provisioned too. The supported list, when set,
     * limits the node versions to those it names. No container route yet.
     */
    private Route toolRoute(Manager manager, String node, String version) throws IOException, InterruptedException {
        boolean supported = settings.npmVersions().isEmpty()
                || settings.npmVersions().stream().anyMatch(p -> p.node().equals(node));
        if (!supported) {
            throw new InvalidRequestException("Unsupported version: node " + node + " (supported: node "
                    + settings.npmVersions().stream().map(NodeNpm::node).distinct().collect(Collectors.joining(", ")) + ")");
        }
        if (!settings.provision()) {
            throw new InvalidRequestException("Cannot install with " + manager.id() + " " + version + ": " + manager.id()
                    + " is provisioned from the npm registry, and provisioning (polycache.toolchains.provision) is off");
        }
        boolean hostNode = host.found().node().equals(Optional.of(node));
        return new Route.ProvisionedTool(hostNode ? null : node, manager, version);
    }

    private Route npmRoute(String node, String npm) throws IOException, InterruptedException {
        boolean supported = settings.npmVersions().isEmpty() || settings.npmVersions().contains(new NodeNpm(node, npm));
        if (!supported) {
            if (containers()) {
                return new Route.Container(container.npmImage(node, npm), npm);
            }
            throw new InvalidRequestException("Unsupported version: node " + node + " with npm " + npm
                    + " (supported: " + settings.npmVersions().stream().map(p -> "node " + p.node() + " with npm " + p.npm())
                            .collect(Collectors.joining(", ")) + ")");
        }
        HostTools.Found found = host.found();
        if (found.node().equals(Optional.of(node)) && found.npm().equals(Optional.of(npm))) {
            return new Route.Host();
        }
        if (settings.provision()) {
            return new Route.Provisioned(node, npm);
        }
        if (containers()) {
            return new Route.Container(container.npmImage(node, npm), npm);
        }
        throw new InvalidRequestException("Cannot install with node " + node + " and npm " + npm + ": this server has node "
                + HostTools.Found.describe(found.node()) + " and npm " + HostTools.Found.describe(found.npm())
                + ", and neither provisioning (polycache.toolchains.provision) nor the container fallback"
                + " (polycache.container.enabled) is on");
    }

    private Route composerRoute(String php) throws IOException, InterruptedException {
        boolean supported = settings.phpVersions().isEmpty()
                || settings.phpVersions().stream().anyMatch(listed -> phpMatches(listed, php));
        if (!supported) {
            if (containers()) {
                return new Route.Container(container.composerImage(php), null);
            }
            throw new InvalidRequestException("Unsupported version: php " + php + " (supported: php "
                    + String.join(", ", settings.phpVersions()) + ")");
        }
        HostTools.Found found = host.found();
        if (found.php().isPresent() && phpMatches(php, found.php().get())) {
            return new Route.Host();
        }
        if (containers()) {
            return new Route.Container(container.composerImage(php), null);
        }
        throw new InvalidRequestException("Cannot install with php " + php + ": this server has php "
                + HostTools.Found.describe(found.php()) + ", PHP is not provisioned, and the container fallback"
                + " (polycache.container.enabled) is off");
    }

    private boolean containers() {
        return settings.container().enabled();
    }

    /** Whether {@code actual} is {@code wanted} or a release of it: 8.2 matches 8.2 and 8.2.35, not 8.20.1. */
    static boolean phpMatches(String wanted, String actual) {
        return actual.equals(wanted) || actual.startsWith(wanted + ".");
    }
}
