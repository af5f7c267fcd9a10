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

    /** The absolute path of a program on the install PATH (the child's PATH, not the server's). */
    String locate(String program) {
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
