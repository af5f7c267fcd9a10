package io.polycache.deps;

import io.polycache.bundle.BundleIndex;
import io.polycache.bundle.BundleStore;
import io.polycache.bundle.IndexEntry;
import io.polycache.bundle.TreeIngester;
import io.polycache.store.StorageDirectory;
import io.polycache.store.Sha256;
import io.polycache.store.ShardLayout;
import io.polycache.config.ToolchainSettings;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Runs one install in a fresh directory under {@code tmp/} and stores its tree as a bundle.
 * Whatever happens, the directory is removed afterwards; the index is the last thing written,
 * so a failed install leaves no bundle.
 */
public final class Installer {
    private static final Logger LOG = Logger.getLogger(Installer.class.getName());
    private static final Duration REMOVE_TIMEOUT = Duration.ofSeconds(30);

    private final StorageDirectory files;
    private final ShardLayout layout;
    private final TreeIngester ingester;
    private final BundleStore bundles;
    private final ProcessRunner runner;
    private final InstallEnvironment environment;
    private final Duration timeout;
    private final ToolchainStore toolchains;
    private final Toolchains routes;
    private final ContainerCommand container;

    private final long packageCacheMaxSize;

    public Installer(StorageDirectory files, TreeIngester ingester, BundleStore bundles, Map<String, String> hostEnvironment,
            Duration timeout, ToolchainSettings toolchainSettings) {
        this.files = files;
        this.layout = files.layout();
        this.ingester = ingester;
        this.bundles = bundles;
        this.runner = new ProcessRunner();
        this.environment = new InstallEnvironment(hostEnvironment);
        this.timeout = timeout;
        this.packageCacheMaxSize = toolchainSettings.packageCacheMaxSize();
        this.toolchains = new ToolchainStore(layout.toolchains(), layout.packageManagerCache(Manager.NPM.id()),
                Platform.current(), environment, timeout);
        this.container = new ContainerCommand(toolchainSettings.container());
        this.routes = new Toolchains(toolchainSettings, new HostTools(files, environment)::found, container);
    }

    /** Prepares {@code toolchains/}, removing fetches a previous run left unfinished. */
    public void open() throws IOException {
        toolchains.open();
        pruneDownloadCaches();
    }

    /**
     * Empties the package managers' download caches when together they hold more than their
     * bound, and logs what they and the toolchains take. Only at start-up: no install is
     * reading a cache then.
     */
    private void pruneDownloadCaches() throws IOException {
        Path caches = layout.packageManagerCache("npm").getParent();
        long cached = sizeOf(caches);
        if (cached > packageCacheMaxSize) {
            LOG.info("Download caches " + caches + " hold " + cached + " bytes, over polycache.packageCache.maxSize ("
                    + packageCacheMaxSize + " bytes): emptying them");
            StorageDirectory.deleteRecursively(caches);
            cached = 0;
        }
        LOG.info("Download caches: " + cached + " bytes (bound " + packageCacheMaxSize + "); toolchains: "
                + sizeOf(layout.toolchains()) + " bytes");
    }

    private static long sizeOf(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long[] total = {0};
        Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
                total[0] += attrs.size();
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
                return java.nio.file.FileVisitResult.CONTINUE; // vanished or unreadable: not counted
            }
        });
        return total[0];
    }

    /**
     * How the request's versions will be honoured.
     *
     * @throws InvalidRequestException when they are unsupported or cannot be honoured
     */
    public Route route(InstallRequest request) throws IOException, InterruptedException {
        return routes.route(request);
    }

    /** Node and npm releases provisioned since start-up. */
    public long toolchainsProvisioned() {
        return toolchains.fetched();
    }

    /** A prepared install directory: {@code project/} with the request's files, plus home, tmp and log. */
    public record Workspace(Path dir) implements AutoCloseable {
        Path project() {
            return dir.resolve("project");
        }

        @Override
        public void close() {
            StorageDirectory.deleteQuietly(dir);
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
                Path target = workspace.project().resolve(file.getKey());
                if (file.getKey().equals(YarnConfig.FILE_NAME) && request.yarn() != null) {
                    request.yarn().write(target); // only the accepted settings reach Yarn
                } else {
                    Files.copy(file.getValue(), target);
                }
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
     * @throws InstallFailedException  if the package manager fails, or a toolchain cannot be provisioned
     * @throws InstallTimeoutException if it runs out of time
     */
    public void install(Workspace workspace, InstallRequest request, Sha256 hash, Route route)
            throws IOException, InterruptedException {
        try (workspace) {
            Manager manager = request.manager();
            ProcessRunner.Result result = route instanceof Route.Container inContainer
                    ? runInContainer(workspace, request, inContainer)
                    : runNatively(workspace, request, route);
            if (result.exitCode() != 0) {
                throw new InstallFailedException("Installation failed",
                        FailureLog.read(workspace.dir().resolve("install.log"), workspace.dir()));
            }
            List<IndexEntry> entries = ingester.ingest(workspace.project(), request.outputRoot(), request.outputFiles());
            bundles.commit(new BundleIndex(hash, manager.id(), request.versions().byName(), request.outputRoot(), entries));
        }
    }

    private ProcessRunner.Result runNatively(Workspace workspace, InstallRequest request, Route route)
            throws IOException, InterruptedException {
        Manager manager = request.manager();
        Path pmCache = layout.packageManagerCache(manager.id());
        Files.createDirectories(pmCache);
        Map<String, String> env = environment.forInstall(manager, workspace.dir().resolve("home"),
                workspace.dir().resolve("tmp"), pmCache);
        List<String> command;
        if (route instanceof Route.ProvisionedTool tool) {
            Path node = tool.node() == null ? Path.of(environment.locate("node")) : toolchains.node(tool.node());
            Path entry = toolchains.tool(manager, tool.version(), node);
            boolean berry = manager == Manager.YARN && Versions.isYarnBerry(tool.version());
            if (manager == Manager.YARN) {
                InstallEnvironment.yarn(env, berry, request.plugNPlay(), pmCache);
            }
            if (berry && !request.hasLockfile()) {
                // An empty yarn.lock marks the project root: Berry would otherwise look for one upwards.
                Files.createFile(workspace.project().resolve(manager.lockfile()));
            }
            command = new ArrayList<>(List.of(node.toString(), entry.toString()));
            command.addAll(installArgs(request));
            if (manager == Manager.YARN && !berry) {
                // Yarn classic's cache is not safe for concurrent installs without its mutex.
                command.addAll(List.of("--mutex", "file:" + pmCache.resolve(".yarn-mutex")));
            }
            env.put("PATH", node.getParent() + File.pathSeparator + env.get("PATH"));
        } else if (route instanceof Route.Provisioned provisioned) {
            Path node = toolchains.node(provisioned.node());
            Path npm = toolchains.npm(provisioned.npm());
            command = provisionedCommand(node, npm, request);
            // Whatever the install starts as "node" is the requested one too.
            env.put("PATH", node.getParent() + File.pathSeparator + env.get("PATH"));
        } else {
            command = hostCommand(request);
        }
        return runner.run(command, workspace.project(), env, workspace.dir().resolve("install.log"), timeout);
    }

    private ProcessRunner.Result runInContainer(Workspace workspace, InstallRequest request, Route.Container route)
            throws IOException, InterruptedException {
        Path npm = route.npm() == null ? null : toolchains.npm(route.npm());
        Path project = workspace.project();
        String name = "polycache-" + workspace.dir().getFileName().toString().replaceAll("[^A-Za-z0-9_.-]", "");
        ContainerCommand.Run run = new ContainerCommand.Run(name, project,
                (Integer) Files.getAttribute(project, "unix:uid"), (Integer) Files.getAttribute(project, "unix:gid"),
                route.image(), npm, environment.caFiles(), environment.proxyVariables(),
                containerEnvironment(request.manager()), containerArgv(request));
        List<String> command = new ArrayList<>(container.run(run));
        command.set(0, environment.locate(command.get(0)));
        Map<String, String> env = environment.forContainerRuntime();
        try {
            return runner.run(command, project, env, workspace.dir().resolve("install.log"), timeout);
        } catch (InstallTimeoutException | InterruptedException e) {
            // Killing the client leaves the container running under the runtime's monitor.
            removeContainer(name, workspace, env);
            throw e;
        }
    }

    private void removeContainer(String name, Workspace workspace, Map<String, String> env) {
        for (List<String> step : List.of(container.kill(name), container.remove(name))) {
            try {
                List<String> command = new ArrayList<>(step);
                command.set(0, environment.locate(command.get(0)));
                // Either may find the container gone already; what matters is that none is left.
                runner.run(command, workspace.dir(), env, workspace.dir().resolve("remove.log"), REMOVE_TIMEOUT);
            } catch (IOException | InterruptedException | RuntimeException e) {
                LOG.warning("Could not stop container " + name + ": " + e);
            }
        }
    }

    /** The host's package manager, found on the install PATH. */
    List<String> hostCommand(InstallRequest request) {
        List<String> command = new ArrayList<>();
        command.add(environment.locate(request.manager() == Manager.NPM ? "npm" : "composer"));
        command.addAll(installArgs(request));
        return command;
    }

    /** A provisioned npm run by a provisioned node: neither depends on the host's. */
    static List<String> provisionedCommand(Path node, Path npm, InstallRequest request) {
        List<String> command = new ArrayList<>(List.of(node.toString(), npm.resolve("bin/npm-cli.js").toString()));
        command.addAll(installArgs(request));
        return command;
    }

    /** Inside a container: the image's node runs the mounted npm; composer is the image's. */
    static List<String> containerArgv(InstallRequest request) {
        List<String> command = new ArrayList<>();
        if (request.manager() == Manager.NPM) {
            command.addAll(List.of("node", ContainerCommand.NPM_MOUNT + "/bin/npm-cli.js"));
        } else {
            command.add("composer");
        }
        command.addAll(installArgs(request));
        return command;
    }

    /** The fixed environment inside a container: a writable HOME, no prompts, no notices. */
    static Map<String, String> containerEnvironment(Manager manager) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        env.put("HOME", "/tmp");
        switch (manager) {
            case NPM -> {
                env.put("npm_config_update_notifier", "false");
                env.put("npm_config_fund", "false");
                env.put("npm_config_audit", "false");
            }
            case COMPOSER -> {
                env.put("COMPOSER_HOME", "/tmp/composer");
                env.put("COMPOSER_ALLOW_SUPERUSER", "1");
                env.put("COMPOSER_NO_INTERACTION", "1");
            }
        }
        return env;
    }

    /** The package manager's arguments: never through a shell, install scripts always off. */
    static List<String> installArgs(InstallRequest request) {
        List<String> args = new ArrayList<>();
        switch (request.manager()) {
            case NPM -> {
                args.add(request.hasLockfile() ? "ci" : "install");
                args.addAll(List.of("--ignore-scripts", "--no-audit", "--no-fund"));
                if (request.platform() != null) {
                    args.addAll(request.platform().npmArgs());
                }
            }
            case COMPOSER -> args.addAll(List.of("install", "--prefer-dist", "--no-scripts", "--no-plugins",
                    "--no-interaction", "--optimize-autoloader"));
            case PNPM -> {
                args.add("install");
                if (request.hasLockfile()) {
                    args.add("--frozen-lockfile");
                }
                args.add("--ignore-scripts");
            }
            case YARN -> {
                args.add("install");
                if (Versions.isYarnBerry(request.versions().byName().get("yarn"))) {
                    // Scripts are off by YARN_ENABLE_SCRIPTS (Berry's install has no flag for it).
                    if (request.hasLockfile()) {
                        args.add("--immutable");
                    }
                } else {
                    if (request.hasLockfile()) {
                        args.add("--frozen-lockfile");
                    }
                    args.addAll(List.of("--ignore-scripts", "--non-interactive", "--no-progress"));
                }
            }
        }
        args.addAll(request.customArgs());
        return args;
    }
}
