package io.polycache.deps;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The environment an install runs with: built from nothing, so the server's own variables
 * (credentials, NODE_OPTIONS, npm_config_*, COMPOSER_*) never reach a package manager. Only
 * what a host needs to reach a registry at all is passed on: PATH, proxies and CA bundles.
 */
final class InstallEnvironment {
    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final List<String> PASSED_ON = List.of(
            "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
            "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR");

    private final Map<String, String> host;

    InstallEnvironment(Map<String, String> host) {
        this.host = host;
    }

    /**
     * @param home     a fresh directory: no user-level config (~/.npmrc, auth.json) applies
     * @param pmCache  the shared download cache of this manager
     */
    Map<String, String> forInstall(Manager manager, Path home, Path tmp, Path pmCache) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", host.getOrDefault("PATH", DEFAULT_PATH));
        env.put("HOME", home.toString());
        env.put("TMPDIR", tmp.toString());
        env.put("LANG", "C.UTF-8");
        for (String name : PASSED_ON) {
            if (host.containsKey(name)) {
                env.put(name, host.get(name));
            }
        }
        switch (manager) {
            case NPM -> {
                env.put("npm_config_cache", pmCache.toString());
                env.put("npm_config_update_notifier", "false");
                env.put("npm_config_fund", "false");
                env.put("npm_config_audit", "false");
                // npm 7+ keeps a debug log of every run under the cache (pm-cache/npm/_logs); npm 8+
                // writes it into this install's own tmp/ instead, which goes with the install (the
                // output the server needs is captured from the process). logs-max=0 is not used:
                // npm 6 crashes on it ("rimraf: missing path").
                env.put("npm_config_logs_dir", tmp.resolve("npm-logs").toString());
            }
            case PNPM -> {
                env.put("npm_config_store_dir", pmCache.resolve("store").toString());
                env.put("npm_config_cache_dir", pmCache.resolve("metadata").toString());
                env.put("npm_config_update_notifier", "false");
                // The requested pnpm runs, whatever package.json's packageManager field names;
                // and every link stays inside node_modules/ (no global virtual store).
                env.put("npm_config_manage_package_manager_versions", "false");
                env.put("npm_config_package_manager_strict", "false");
                env.put("npm_config_enable_global_virtual_store", "false");
                // No .pnpmfile.cjs can be sent, and none may run if one ever could.
                env.put("npm_config_ignore_pnpmfile", "true");
            }
            case YARN -> {
                // Yarn classic reads the first two; Berry its own (set by yarn(), which knows the flavour).
                env.put("SKIP_YARN_COREPACK_CHECK", "1");
                env.put("YARN_IGNORE_PATH", "1");
            }
            case COMPOSER -> {
                env.put("COMPOSER_HOME", home.resolve(".composer").toString());
                env.put("COMPOSER_CACHE_DIR", pmCache.toString());
                // Installs may run as root in containers; scripts and plugins are off anyway.
                env.put("COMPOSER_ALLOW_SUPERUSER", "1");
                env.put("COMPOSER_NO_INTERACTION", "1");
            }
        }
        return env;
    }

    /**
     * Yarn's settings by flavour. Classic: the cache folder (scripts are off by argument). Berry:
     * scripts off, no telemetry, no progress bars, the global folder under {@code pm-cache/}, and
     * by linker: node-modules reads packages from the global cache (no project cache); Plug'n'Play
     * needs the packages' zips in the project's {@code .yarn/cache/}, where {@code .pnp.cjs}
     * finds them, so the global cache becomes the mirror they are copied from.
     */
    static void yarn(Map<String, String> env, boolean berry, boolean plugNPlay, Path pmCache) {
        if (!berry) {
            env.put("YARN_CACHE_FOLDER", pmCache.resolve("classic").toString());
            return;
        }
        env.put("YARN_ENABLE_SCRIPTS", "false");
        env.put("YARN_NODE_LINKER", plugNPlay ? "pnp" : "node-modules");
        env.put("YARN_ENABLE_GLOBAL_CACHE", plugNPlay ? "false" : "true");
        env.put("YARN_GLOBAL_FOLDER", pmCache.resolve("berry").toString());
        env.put("YARN_ENABLE_MIRROR", plugNPlay ? "true" : "false");
        env.put("YARN_ENABLE_TELEMETRY", "0");
        env.put("YARN_ENABLE_PROGRESS_BARS", "false");
        env.put("YARN_ENABLE_COLORS", "false");
        env.put("YARN_ENABLE_INLINE_BUILDS", "false");
    }

    /** Variables the container runtime itself needs to find its daemon, storage and configuration. */
    private static final List<String> RUNTIME = List.of("HOME", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME",
            "XDG_DATA_HOME", "DOCKER_HOST", "DOCKER_CONFIG", "DOCKER_CONTEXT", "CONTAINER_HOST",
            "CONTAINERS_CONF", "CONTAINERS_STORAGE_CONF", "CONTAINERS_REGISTRIES_CONF");

    /**
     * The environment of the {@code docker}/{@code podman} client: unlike a package manager it
     * needs the server's own HOME (where rootless podman keeps its images), plus the proxies it
     * forwards into the container by name.
     */
    Map<String, String> forContainerRuntime() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", host.getOrDefault("PATH", DEFAULT_PATH));
        env.put("LANG", "C.UTF-8");
        for (String name : RUNTIME) {
            if (host.containsKey(name)) {
                env.put(name, host.get(name));
            }
        }
        for (String name : proxyVariables()) {
            env.put(name, host.get(name));
        }
        return env;
    }

    /** The proxy variables the server has, to be passed on into containers. */
    List<String> proxyVariables() {
        return PASSED_ON.stream().filter(name -> name.toLowerCase(java.util.Locale.ROOT).endsWith("proxy"))
                .filter(host::containsKey).toList();
    }

    /**
     * The CA bundles the server names in {@code NODE_EXTRA_CA_CERTS} and {@code SSL_CERT_FILE}
     * (a TLS-inspecting proxy's CA, typically): a container cannot see the host's files, so they
     * are mounted into it.
     */
    Map<String, Path> caFiles() {
        Map<String, Path> files = new LinkedHashMap<>();
        for (String name : List.of("NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE")) {
            String value = host.get(name);
            if (value != null && !value.isBlank() && Files.isRegularFile(Path.of(value))) {
                files.put(name, Path.of(value).toAbsolutePath());
            }
        }
        return files;
    }

    /** The absolute path of a program on the install PATH (the child's PATH, not the server's). */
    String locate(String program) {
        if (program.contains("/")) {
            Path given = Path.of(program);
            if (Files.isRegularFile(given) && Files.isExecutable(given)) {
                return given.toAbsolutePath().toString();
            }
            throw new ToolUnavailableException(program);
        }
        for (String dir : host.getOrDefault("PATH", DEFAULT_PATH).split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new ToolUnavailableException(program);
    }
}
