package io.polycache.deps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.polycache.config.ToolchainSettings.ContainerSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ContainerCommandTest {
    static final ContainerSettings PODMAN = new ContainerSettings(true, "podman", "node:{node}-alpine",
            "registry.example.com/composer:php{php}", List.of("--runtime", "/usr/sbin/runc"));

    private static InstallRequest request(Manager manager, Map<String, String> versions, boolean lockfile,
            List<String> customArgs) {
        TreeMap<String, Path> files = new TreeMap<>();
        files.put(manager.manifest(), Path.of("/staging/" + manager.manifest()));
        if (lockfile) {
            files.put(manager.lockfile(), Path.of("/staging/" + manager.lockfile()));
        }
        return new InstallRequest(manager, Versions.validate(manager, versions), customArgs, files);
    }

    @Test
    void anNpmInstallRunsTheMountedNpmWithTheImagesNodeAsTheServersUser() {
        ContainerCommand container = new ContainerCommand(PODMAN);
        InstallRequest request = request(Manager.NPM, Map.of("node", "14.20.0", "npm", "6.14.13"), true,
                List.of("--omit=dev"));
        Map<String, Path> ca = new LinkedHashMap<>();
        ca.put("NODE_EXTRA_CA_CERTS", Path.of("/etc/ssl/certs/ca-certificates.crt"));
        List<String> command = container.run(new ContainerCommand.Run("polycache-install-1",
                Path.of("/srv/cache/tmp/install-1/project"), 1000, 1001, container.npmImage("14.20.0", "6.14.13"),
                Path.of("/srv/cache/toolchains/npm-6.14.13"), ca, List.of("HTTPS_PROXY"),
                Installer.containerEnvironment(Manager.NPM), Installer.containerArgv(request)));
        assertEquals(List.of("podman", "run", "--rm", "-v", "/srv/cache/tmp/install-1/project:/app", "-w", "/app",
                "--user", "1000:1001", "--name", "polycache-install-1", "--runtime", "/usr/sbin/runc",
                "-v", "/srv/cache/toolchains/npm-6.14.13:/opt/polycache/npm:ro",
                "-v", "/etc/ssl/certs/ca-certificates.crt:/etc/polycache/NODE_EXTRA_CA_CERTS.pem:ro",
                "-e", "NODE_EXTRA_CA_CERTS=/etc/polycache/NODE_EXTRA_CA_CERTS.pem",
                "-e", "HTTPS_PROXY",
                "-e", "HOME=/tmp", "-e", "npm_config_update_notifier=false", "-e", "npm_config_fund=false",
                "-e", "npm_config_audit=false",
                "node:14.20.0-alpine",
                "node", "/opt/polycache/npm/bin/npm-cli.js", "ci", "--ignore-scripts", "--no-audit", "--no-fund",
                "--omit=dev"), command);
    }

    @Test
    void aComposerInstallRunsTheImagesComposer() {
        ContainerCommand container = new ContainerCommand(new ContainerSettings(true, "docker", "node:{node}",
                "registry.example.com/composer:php{php}", List.of()));
        InstallRequest request = request(Manager.COMPOSER, Map.of("php", "8.1"), false, List.of("--no-dev"));
        List<String> command = container.run(new ContainerCommand.Run("polycache-install-2", Path.of("/c/tmp/i/project"),
                0, 0, container.composerImage("8.1"), null, Map.of(), List.of(),
                Installer.containerEnvironment(Manager.COMPOSER), Installer.containerArgv(request)));
        assertEquals(List.of("docker", "run", "--rm", "-v", "/c/tmp/i/project:/app", "-w", "/app", "--user", "0:0",
                "--name", "polycache-install-2",
                "-e", "HOME=/tmp", "-e", "COMPOSER_HOME=/tmp/composer", "-e", "COMPOSER_ALLOW_SUPERUSER=1",
                "-e", "COMPOSER_NO_INTERACTION=1",
                "registry.example.com/composer:php8.1",
                "composer", "install", "--prefer-dist", "--no-scripts", "--no-plugins", "--no-interaction",
                "--optimize-autoloader", "--no-dev"), command);
    }

    @Test
    void imageTemplatesTakeTheVersions() {
        ContainerCommand container = new ContainerCommand(new ContainerSettings(true, "podman",
                "registry.example.com/node-npm:{node}-{npm}", "php-composer:{php}", List.of()));
        assertEquals("registry.example.com/node-npm:16.15.0-8.5.0", container.npmImage("16.15.0", "8.5.0"));
        assertEquals("php-composer:8.2", container.composerImage("8.2"));
    }

    @Test
    void aTimedOutContainerIsKilledAndRemovedByName() {
        assertEquals(List.of("podman", "kill", "polycache-install-1"), new ContainerCommand(PODMAN).kill("polycache-install-1"));
        assertEquals(List.of("podman", "rm", "-f", "polycache-install-1"), new ContainerCommand(PODMAN).remove("polycache-install-1"));
    }

    @Test
    void aPathThatWouldBreakTheVolumeSyntaxIsRefused() {
        ContainerCommand container = new ContainerCommand(PODMAN);
        assertThrows(IllegalStateException.class, () -> container.run(new ContainerCommand.Run("n",
                Path.of("/srv/a:b/project"), 0, 0, "img", null, Map.of(), List.of(), Map.of(), List.of("true"))));
    }

    @Test
    void aProvisionedInstallRunsTheProvisionedNpmWithTheProvisionedNode() {
        InstallRequest request = request(Manager.NPM, Map.of("node", "16.15.0", "npm", "8.5.0"), false, List.of());
        assertEquals(List.of("/c/toolchains/node-16.15.0-linux-x64/bin/node", "/c/toolchains/npm-8.5.0/bin/npm-cli.js",
                "install", "--ignore-scripts", "--no-audit", "--no-fund"),
                Installer.provisionedCommand(Path.of("/c/toolchains/node-16.15.0-linux-x64/bin/node"),
                        Path.of("/c/toolchains/npm-8.5.0"), request));
    }
}
