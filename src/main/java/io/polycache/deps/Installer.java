package io.polycache.deps;

import io.polycache.bundle.BundleIndex;
import io.polycache.bundle.BundleStore;
import io.polycache.bundle.IndexEntry;
import io.polycache.bundle.TreeIngester;
import io.polycache.store.FileStore;
import io.polycache.store.Sha256;
import io.polycache.store.ShardLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs one install in a fresh directory under {@code tmp/} and stores its tree as a bundle.
 * Whatever happens, the directory is removed afterwards; the index is the last thing written,
 * so a failed install leaves no bundle.
 */
public final class Installer {
    private final FileStore files;
    private final ShardLayout layout;
    private final TreeIngester ingester;
    private final BundleStore bundles;
    private final ProcessRunner runner;
    private final InstallEnvironment environment;
    private final Duration timeout;

    public Installer(FileStore files, TreeIngester ingester, BundleStore bundles, Map<String, String> hostEnvironment,
            Duration timeout) {
        this.files = files;
        this.layout = files.layout();
        this.ingester = ingester;
        this.bundles = bundles;
        this.runner = new ProcessRunner();
        this.environment = new InstallEnvironment(hostEnvironment);
        this.timeout = timeout;
    }

    /** A prepared install directory: {@code project/} with the request's files, plus home, tmp and log. */
    public record Workspace(Path dir) implements AutoCloseable {
        Path project() {
            return dir.resolve("project");
        }

        @Override
        public void close() {
            FileStore.deleteQuietly(dir);
        }
    }

    /** Copies the request's files into a new workspace, so the install does not depend on the request. */
    public Workspace prepare(InstallRequest request) throws IOException {
        Workspace workspace = new Workspace(files.newTempDirectory("install-"));
        try {
            for (String dir : List.of("project", "home", "tmp")) {
                Files.createDirectory(workspace.dir().resolve(dir));
            }
            for (Map.Entry<String, Path> file : request.files().entrySet()) {
                Files.copy(file.getValue(), workspace.project().resolve(file.getKey()));
            }
            return workspace;
        } catch (IOException | RuntimeException e) {
            workspace.close();
            throw e;
        }
    }

    /**
     * Installs and commits the bundle, then removes the workspace.
     *
     * @throws InstallFailedException  if the package manager fails
     * @throws InstallTimeoutException if it runs out of time
     */
    public void install(Workspace workspace, InstallRequest request, Sha256 hash)
            throws IOException, InterruptedException {
        try (workspace) {
            Manager manager = request.manager();
            Path pmCache = layout.packageManagerCache(manager.id());
            Files.createDirectories(pmCache);
            ProcessRunner.Result result = runner.run(command(request), workspace.project(),
                    environment.forInstall(manager, workspace.dir().resolve("home"), workspace.dir().resolve("tmp"), pmCache),
                    workspace.dir().resolve("install.log"), timeout);
            if (result.exitCode() != 0) {
                throw new InstallFailedException("Installation failed", result.outputTail());
            }
            List<String> generated = request.hasLockfile() ? List.of() : List.of(manager.lockfile());
            List<IndexEntry> entries = ingester.ingest(workspace.project(), manager.outputDir(), generated);
            bundles.commit(new BundleIndex(hash, manager.id(), request.versions().byName(), manager.outputDir(), entries));
        }
    }

    /** The command line: never through a shell, install scripts always off. */
    List<String> command(InstallRequest request) {
        List<String> command = new ArrayList<>();
        switch (request.manager()) {
            case NPM -> {
                command.add(environment.locate("npm"));
                command.add(request.hasLockfile() ? "ci" : "install");
                command.addAll(List.of("--ignore-scripts", "--no-audit", "--no-fund"));
            }
            case COMPOSER -> {
                command.add(environment.locate("composer"));
                command.addAll(List.of("install", "--prefer-dist", "--no-scripts", "--no-plugins",
                        "--no-interaction", "--optimize-autoloader"));
            }
        }
        command.addAll(request.customArgs());
        return command;
    }
}
