package io.polycache.deps;

import io.polycache.store.StorageDirectory;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Node and npm releases fetched from the npm registry, each once, into {@code toolchains/}:
 * {@code node-<version>-<os>-<arch>/bin/node} (the official binary, from the
 * {@code node-<os>-<arch>} package) and {@code npm-<version>/bin/npm-cli.js}.
 *
 * <p>A release is fetched with the host's npm into a {@code .partial-*} directory, checked (the
 * node binary must run and report the requested version, the npm must report its own), then
 * renamed into place: a directory under its final name is always complete, and a crash leaves
 * only a {@code .partial-*} directory, removed at the next start. In this process one fetch per
 * release runs at a time; requests for a release being fetched wait for it.
 */
public final class ToolchainStore {
    private static final Logger LOG = Logger.getLogger(ToolchainStore.class.getName());
    private static final String PARTIAL = ".partial-";

    private final Path root;
    private final Path npmCache;
    private final Platform platform;
    private final InstallEnvironment environment;
    private final Duration timeout;
    private final ProcessRunner runner = new ProcessRunner();
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();
    private final AtomicLong fetched = new AtomicLong();

    ToolchainStore(Path root, Path npmCache, Platform platform, InstallEnvironment environment, Duration timeout) {
        this.root = root;
        this.npmCache = npmCache;
        this.platform = platform;
        this.environment = environment;
        this.timeout = timeout;
    }

    /** Creates the directory and removes fetches a previous run left unfinished. */
    void open() throws IOException {
        Files.createDirectories(root);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, PARTIAL + "*")) {
            for (Path partial : entries) {
                StorageDirectory.deleteQuietly(partial);
            }
        }
    }

    /** The node binary of a release, fetched first if need be. */
    Path node(String version) throws IOException, InterruptedException {
        String name = "node-" + version + "-" + platform;
        Path dir = ensure(name, platform.nodePackage(), version,
                candidate -> List.of(candidate.resolve("bin/node").toString(), "--version"), "v" + version);
        return dir.resolve("bin/node");
    }

    /** The directory of an npm release (its {@code bin/npm-cli.js} is the entry point), fetched first if need be. */
    Path npm(String version) throws IOException, InterruptedException {
        String hostNode = environment.locate("node");
        return ensure("npm-" + version, "npm", version,
                candidate -> List.of(hostNode, candidate.resolve("bin/npm-cli.js").toString(), "--version"), version);
    }

    /**
     * The entry script of a pnpm or yarn release, fetched first if need be: the whole npm prefix
     * is kept ({@code pnpm-<version>/node_modules/...}), since pnpm 11 and later run a native
     * binary from a platform package installed beside it. Yarn 1.x is the {@code yarn} package,
     * 2 and later {@code @yarnpkg/cli-dist}.
     *
     * @param node the node that runs it, also for the check
     */
    Path tool(Manager manager, String version, Path node) throws IOException, InterruptedException {
        String pkg = toolPackage(manager, version);
        String name = pkg.replace("@", "").replace('/', '-') + "-" + version;
        Path dir = ensure(name, pkg, version, candidate -> List.of(node.toString(),
                entryPoint(candidate.resolve("node_modules").resolve(pkg), manager).toString(), "--version"), version, true);
        return entryPoint(dir.resolve("node_modules").resolve(pkg), manager);
    }

    static String toolPackage(Manager manager, String version) {
        return switch (manager) {
            case PNPM -> "pnpm";
            case YARN -> Versions.isYarnBerry(version) ? "@yarnpkg/cli-dist" : "yarn";
            default -> throw new IllegalArgumentException(manager + " is not provisioned as a tool");
        };
    }

    /** pnpm up to 10 is {@code bin/pnpm.cjs}; 11 and later {@code bin/pnpm.mjs} (which runs the native binary). */
    private static Path entryPoint(Path packageDir, Manager manager) {
        if (manager == Manager.PNPM) {
            Path cjs = packageDir.resolve("bin/pnpm.cjs");
            return Files.isRegularFile(cjs) ? cjs : packageDir.resolve("bin/pnpm.mjs");
        }
        return packageDir.resolve("bin/yarn.js");
    }

    /** Releases fetched since start-up. */
    public long fetched() {
        return fetched.get();
    }

    private interface Check {
        List<String> command(Path candidate);
    }

    private Path ensure(String name, String pkg, String version, Check check, String expected)
            throws IOException, InterruptedException {
        return ensure(name, pkg, version, check, expected, false);
    }

    /** @param wholePrefix keep the npm prefix the package was installed into, not just the package */
    private Path ensure(String name, String pkg, String version, Check check, String expected, boolean wholePrefix)
            throws IOException, InterruptedException {
        Path dir = root.resolve(name);
        if (Files.isDirectory(dir)) {
            return dir;
        }
        synchronized (locks.computeIfAbsent(name, k -> new Object())) {
            if (Files.isDirectory(dir)) {
                return dir; // fetched by the request we waited for
            }
            long started = System.nanoTime();
            Files.createDirectories(root);
            Path partial = Files.createTempDirectory(root, PARTIAL + name + "-");
            try {
                Path candidate = fetch(partial, pkg, version);
                if (wholePrefix) {
                    candidate = partial.resolve("prefix");
                }
                verify(partial, check.command(candidate), expected, pkg + "@" + version);
                Files.move(candidate, dir, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                StorageDirectory.deleteQuietly(partial);
            }
            fetched.incrementAndGet();
            LOG.info("Provisioned " + pkg + "@" + version + " into " + dir + " in "
                    + (System.nanoTime() - started) / 1_000_000 + " ms");
            return dir;
        }
    }

    /** {@code npm install} of the one package into {@code partial/prefix}; returns the package's directory. */
    private Path fetch(Path partial, String pkg, String version) throws IOException, InterruptedException {
        Path prefix = Files.createDirectory(partial.resolve("prefix"));
        List<String> command = new ArrayList<>(List.of(environment.locate("npm"), "install", "--prefix",
                prefix.toString(), "--no-save", "--no-package-lock", "--ignore-scripts", "--no-audit", "--no-fund",
                pkg + "@" + version));
        Files.createDirectories(npmCache);
        ProcessRunner.Result result = runner.run(command, prefix, environment(partial),
                partial.resolve("fetch.log"), timeout);
        Path candidate = prefix.resolve("node_modules").resolve(pkg);
        if (result.exitCode() != 0 || !Files.isDirectory(candidate)) {
            throw new InstallFailedException("Could not provision " + pkg + "@" + version
                    + " from the npm registry", FailureLog.read(partial.resolve("fetch.log"), partial));
        }
        return candidate;
    }

    private void verify(Path partial, List<String> command, String expected, String what)
            throws IOException, InterruptedException {
        ProcessRunner.Result result = runner.run(command, partial, environment(partial),
                partial.resolve("check.log"), timeout);
        String lastLine = result.outputTail().strip().lines().reduce((a, b) -> b).orElse("").strip();
        if (result.exitCode() != 0 || !lastLine.equals(expected)) {
            throw new InstallFailedException("The provisioned " + what + " does not run here or is not version "
                    + expected, result.outputTail());
        }
    }

    private java.util.Map<String, String> environment(Path partial) throws IOException {
        Path home = partial.resolve("home");
        Path tmp = partial.resolve("tmp");
        Files.createDirectories(home);
        Files.createDirectories(tmp);
        return environment.forInstall(Manager.NPM, home, tmp, npmCache);
    }
}
