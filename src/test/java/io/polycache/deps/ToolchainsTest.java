package io.polycache.deps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.config.ToolchainSettings;
import io.polycache.config.ToolchainSettings.ContainerSettings;
import io.polycache.config.ToolchainSettings.NodeNpm;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which route a request takes, for given settings and host versions. */
class ToolchainsTest {
    static final HostTools.Found HOST = new HostTools.Found(Optional.of("20.20.2"), Optional.of("11.19.1"),
            Optional.of("8.2.35"));
    static final List<NodeNpm> PAIRS = List.of(new NodeNpm("14.20.0", "6.14.13"), new NodeNpm("16.15.0", "8.5.0"));

    private static Toolchains toolchains(List<NodeNpm> pairs, List<String> php, boolean provision, boolean container) {
        ContainerSettings containers = new ContainerSettings(container, "podman", "node:{node}-alpine",
                "composer:php{php}", List.of());
        return new Toolchains(new ToolchainSettings(pairs, php, provision, containers), () -> HOST,
                new ContainerCommand(containers));
    }

    private static InstallRequest npm(String node, String npm) {
        return new InstallRequest(Manager.NPM, Versions.validate(Manager.NPM, Map.of("node", node, "npm", npm)),
                List.of(), new TreeMap<>(Map.of("package.json", Path.of("/x"))));
    }

    private static InstallRequest composer(String php) {
        return new InstallRequest(Manager.COMPOSER, Versions.validate(Manager.COMPOSER, Map.of("php", php)),
                List.of(), new TreeMap<>(Map.of("composer.json", Path.of("/x"))));
    }

    @Test
    void theHostsOwnToolsServeExactlyTheirVersions() throws Exception {
        assertEquals(new Route.Host(), toolchains(List.of(), List.of(), true, true).route(npm("20.20.2", "11.19.1")));
    }

    @Test
    void otherVersionsAreProvisionedWhenProvisioningIsOn() throws Exception {
        assertEquals(new Route.Provisioned("16.15.0", "8.5.0"),
                toolchains(PAIRS, List.of(), true, true).route(npm("16.15.0", "8.5.0")));
        // The host's node with another npm is not the host's toolchain.
        assertEquals(new Route.Provisioned("20.20.2", "10.2.4"),
                toolchains(List.of(), List.of(), true, false).route(npm("20.20.2", "10.2.4")));
    }

    @Test
    void withoutProvisioningTheContainerServesOtherVersions() throws Exception {
        assertEquals(new Route.Container("node:14.20.0-alpine", "6.14.13"),
                toolchains(PAIRS, List.of(), false, true).route(npm("14.20.0", "6.14.13")));
    }

    @Test
    void versionsNoRouteCanHonourAre400SayingWhy() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> toolchains(List.of(), List.of(), false, false).route(npm("14.20.0", "6.14.13")));
        assertEquals("Cannot install with node 14.20.0 and npm 6.14.13: this server has node 20.20.2 and npm 11.19.1, "
                + "and neither provisioning (polycache.toolchains.provision) nor the container fallback "
                + "(polycache.container.enabled) is on", e.getMessage());
    }

    @Test
    void versionsOutsideTheListAre400NamingTheSupportedOnes() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> toolchains(PAIRS, List.of(), true, false).route(npm("18.0.0", "9.0.0")));
        assertEquals("Unsupported version: node 18.0.0 with npm 9.0.0 (supported: node 14.20.0 with npm 6.14.13, "
                + "node 16.15.0 with npm 8.5.0)", e.getMessage());
        // A listed node with an unlisted npm is not a listed pair.
        assertThrows(InvalidRequestException.class, () -> toolchains(PAIRS, List.of(), true, false).route(npm("14.20.0", "8.5.0")));
    }

    @Test
    void versionsOutsideTheListGoToTheContainerWhenItIsOn() throws Exception {
        assertEquals(new Route.Container("node:18.0.0-alpine", "9.0.0"),
                toolchains(PAIRS, List.of(), true, true).route(npm("18.0.0", "9.0.0")));
        assertEquals(new Route.Container("composer:php7.4", null),
                toolchains(List.of(), List.of("8.2"), false, true).route(composer("7.4")));
    }

    @Test
    void phpIsTheHostsWhenTheRequestIsAPrefixAtAComponentBoundary() throws Exception {
        Toolchains toolchains = toolchains(List.of(), List.of(), false, false);
        assertEquals(new Route.Host(), toolchains.route(composer("8.2")));
        assertEquals(new Route.Host(), toolchains.route(composer("8.2.35")));
        assertEquals(new Route.Host(), toolchains.route(composer("8")));
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> toolchains.route(composer("8.1")));
        assertEquals("Cannot install with php 8.1: this server has php 8.2.35, PHP is not provisioned, and the "
                + "container fallback (polycache.container.enabled) is off", e.getMessage());
        assertThrows(InvalidRequestException.class, () -> toolchains.route(composer("8.2.3")));
    }

    @Test
    void phpOutsideTheListIs400() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> toolchains(List.of(), List.of("8.1", "8.3"), false, false).route(composer("8.2")));
        assertEquals("Unsupported version: php 8.2 (supported: php 8.1, 8.3)", e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"8.2,8.2.35,true", "8.2,8.2,true", "8,8.2.35,true", "8.2.35,8.2.35,true", "8.1,8.2.35,false",
            "8.2,8.20.1,false", "8.2.3,8.2.35,false", "8.2.35,8.2,false"})
    void phpMatchesOnlyAtAComponentBoundary(String wanted, String actual, boolean matches) {
        assertEquals(matches, Toolchains.phpMatches(wanted, actual));
    }

    @ParameterizedTest
    @CsvSource({"Linux,amd64,linux-x64", "Linux,x86_64,linux-x64", "Linux,aarch64,linux-arm64",
            "Mac OS X,aarch64,darwin-arm64", "Mac OS X,x86_64,darwin-x64", "Windows 11,amd64,win-x64",
            "Linux,ppc64le,linux-ppc64le"})
    void thePlatformIsNamedAsNodeReleasesNameIt(String os, String arch, String expected) {
        assertEquals(expected, Platform.of(os, arch).toString());
        assertEquals("node-" + expected, Platform.of(os, arch).nodePackage());
    }

    @Test
    void hostVersionsAreReadFromTheLastLineWithoutTheV() {
        assertEquals(Optional.of("20.20.2"), HostTools.parseVersion("v20.20.2\n"));
        assertEquals(Optional.of("11.19.1"), HostTools.parseVersion("npm warn something\n11.19.1\n"));
        assertFalse(HostTools.parseVersion("command not found").isPresent());
        assertTrue(HostTools.parseVersion("8.2.35").isPresent());
    }

    private static InstallRequest tool(Manager manager, String node, String version) {
        return new InstallRequest(manager, Versions.validate(manager, Map.of("node", node, manager.id(), version)),
                List.of(), new TreeMap<>(Map.of("package.json", Path.of("/x"))));
    }

    @Test
    void pnpmAndYarnAreProvisionedAndRunByTheHostsNodeWhenItIsTheRequestedOne() throws Exception {
        Toolchains provisioning = toolchains(List.of(), List.of(), true, false);
        assertEquals(new Route.ProvisionedTool(null, Manager.PNPM, "9.15.9"),
                provisioning.route(tool(Manager.PNPM, "20.20.2", "9.15.9")));
        assertEquals(new Route.ProvisionedTool("18.20.4", Manager.YARN, "1.22.22"),
                provisioning.route(tool(Manager.YARN, "18.20.4", "1.22.22")));
        assertEquals("Unsupported version: node 18.20.4 (supported: node 14.20.0, 16.15.0)",
                assertThrows(InvalidRequestException.class,
                        () -> toolchains(PAIRS, List.of(), true, false).route(tool(Manager.PNPM, "18.20.4", "9.15.9"))).getMessage());
        assertEquals("Cannot install with yarn 4.5.0: yarn is provisioned from the npm registry, and provisioning"
                + " (polycache.toolchains.provision) is off", assertThrows(InvalidRequestException.class,
                        () -> toolchains(List.of(), List.of(), false, true).route(tool(Manager.YARN, "20.20.2", "4.5.0"))).getMessage());
    }
}
