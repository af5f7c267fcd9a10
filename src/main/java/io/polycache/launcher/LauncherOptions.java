package io.polycache.launcher;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;

/**
 * The standalone command line. Flags for the server itself (address, port, log level) stay
 * here; everything else becomes a {@code polycache.*} servlet context parameter, the same a
 * Tomcat context descriptor sets.
 */
record LauncherOptions(boolean help, boolean version, String bind, int port, Level logLevel, Map<String, String> parameters) {

    static final String USAGE = String.join("\n",
            "Usage: java -jar polycache.war [options]",
            "",
            "Options:",
            "  --storage-dir DIR        where the cache is stored (default ./cache)",
            "  --max-cache-size SIZE    total the cache keeps on disk before evicting: bytes or k/m/g,",
            "                           a share of its filesystem (e.g. 25%), or unlimited (default 25%)",
            "  --max-artifact-size SIZE largest artifact accepted, bytes or k/m/g (default 1073741824);",
            "                           alias: --max-size",
            "  --bind ADDR              address to listen on (default 127.0.0.1)",
            "  --port N                 port to listen on, 0 for any free port (default 8080)",
            "  --log-level LEVEL        error, warn, info, debug or trace (default info)",
            "  --api-keys-file FILE     API keys, one a line: KEY or sha256:HEX, then rw (default) or ro",
            "  --anonymous-read         let GET and HEAD through without a key (writes still need one)",
            "  --public                 no keys at all: anyone may read and write",
            "                           (without any of these three on a loopback address, it runs public)",
            "  --supported-versions-node PAIRS",
            "                           node:npm pairs installs may name, e.g. 14.20.0:6.14.13,16.15.0:8.5.0",
            "                           (default: any)",
            "  --supported-versions-php VERSIONS",
            "                           PHP versions installs may name, e.g. 8.1,8.2 (default: any)",
            "  --use-container-on-version-mismatch",
            "                           run installs the host cannot honour in a container (docker by",
            "                           default; see polycache.container.*); alias:",
            "                           --use-docker-on-version-mismatch",
            "  --polycache.NAME=VALUE   any polycache.* parameter of WEB-INF/web.xml",
            "  --version                print the version and exit",
            "  --help                   print this help and exit",
            "");

    /** Flags that are shorthands for a context parameter. */
    private static final Map<String, String> PARAMETER_FLAGS = Map.of(
            "--storage-dir", "polycache.storageDir",
            "--max-cache-size", "polycache.maxCacheSize",
            "--max-artifact-size", "polycache.maxArtifactSize",
            "--max-size", "polycache.maxArtifactSize", // the name before --max-cache-size existed
            "--api-keys-file", "polycache.apiKeysFile",
            "--supported-versions-node", "polycache.npm.versions",
            "--supported-versions-php", "polycache.composer.versions");

    /** Switches that set a boolean context parameter to true. */
    private static final Map<String, String> SWITCHES = Map.of(
            "--public", "polycache.public",
            "--anonymous-read", "polycache.anonymousRead",
            "--use-container-on-version-mismatch", "polycache.container.enabled",
            // DepCacheProxy's spelling.
            "--use-docker-on-version-mismatch", "polycache.container.enabled");

    private static final Map<String, Level> LEVELS = Map.of(
            "error", Level.SEVERE, "warn", Level.WARNING, "warning", Level.WARNING,
            "info", Level.INFO, "debug", Level.FINE, "trace", Level.FINEST);

    static LauncherOptions parse(List<String> args) throws UsageException {
        boolean help = false;
        boolean version = false;
        String bind = "127.0.0.1";
        int port = 8080;
        Level level = Level.INFO;
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String flag = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                flag = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (flag.equals("--help") || flag.equals("-h")) {
                help = true;
                continue;
            }
            if (flag.equals("--version")) {
                version = true;
                continue;
            }
            if (SWITCHES.containsKey(arg)) {
                parameters.put(SWITCHES.get(arg), "true");
                continue;
            }
            if (flag.startsWith("--polycache.")) {
                if (value == null) {
                    throw new UsageException("option " + flag + " needs a value: " + flag + "=VALUE");
                }
                parameters.put(flag.substring(2), value);
                continue;
            }
            if (!PARAMETER_FLAGS.containsKey(flag) && !List.of("--bind", "--port", "--log-level").contains(flag)) {
                throw new UsageException("unknown option " + flag);
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new UsageException("option " + flag + " needs a value");
                }
                value = args.get(++i);
            }
            switch (flag) {
                case "--bind" -> bind = value;
                case "--port" -> port = parsePort(value);
                case "--log-level" -> level = parseLevel(value);
                default -> parameters.put(PARAMETER_FLAGS.get(flag), value);
            }
        }
        return new LauncherOptions(help, version, bind, port, level, parameters);
    }

    private static int parsePort(String value) throws UsageException {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("invalid value for --port: '" + value + "' (expected 0 to 65535)");
    }

    private static Level parseLevel(String value) throws UsageException {
        Level level = LEVELS.get(value.toLowerCase(Locale.ROOT));
        if (level == null) {
            throw new UsageException("invalid value for --log-level: '" + value
                    + "' (expected error, warn, info, debug or trace)");
        }
        return level;
    }
}
