package io.polycache.deps;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** The package managers the dependency cache installs with, and what each accepts. */
public enum Manager {
    NPM("npm", "package.json", "package-lock.json", List.of("node", "npm"), "node_modules",
            // None of these runs code or changes where packages come from.
            Set.of("--omit=dev", "--omit=optional", "--omit=peer", "--legacy-peer-deps",
                    "--strict-peer-deps", "--no-optional", "--production")),
    COMPOSER("composer", "composer.json", "composer.lock", List.of("php"), "vendor",
            Set.of("--no-dev", "--ignore-platform-reqs", "--classmap-authoritative", "--apcu-autoloader")),
    // pnpm and Yarn (classic and Berry) are provisioned from the npm registry; none of these
    // arguments runs code or changes where packages come from.
    PNPM("pnpm", "package.json", "pnpm-lock.yaml", List.of("node", "pnpm"), "node_modules",
            Set.of("--prod", "--production", "--dev", "--no-optional", "--shamefully-hoist", "--strict-peer-dependencies")),
    YARN("yarn", "package.json", "yarn.lock", List.of("node", "yarn"), "node_modules",
            // Yarn classic only; Berry's install takes none (its --production is gone), so any is refused there.
            Set.of("--production", "--ignore-optional", "--ignore-engines")),
    ;

    private final String id;
    private final String manifest;
    private final String lockfile;
    private final List<String> versionNames;
    private final String outputDir;
    private final Set<String> allowedArgs;

    Manager(String id, String manifest, String lockfile, List<String> versionNames, String outputDir,
            Set<String> allowedArgs) {
        this.id = id;
        this.manifest = manifest;
        this.lockfile = lockfile;
        this.versionNames = versionNames;
        this.outputDir = outputDir;
        this.allowedArgs = allowedArgs;
    }

    public static Optional<Manager> byId(String id) {
        for (Manager m : values()) {
            if (m.id.equals(id)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** Every file name any manager accepts: what a request may upload before its manager is known. */
    public static boolean isKnownFileName(String name) {
        for (Manager m : values()) {
            if (m.accepts(name)) {
                return true;
            }
        }
        return false;
    }

    public String id() {
        return id;
    }

    /** The file every request for this manager must send. */
    public String manifest() {
        return manifest;
    }

    /** The lockfile a request may send; the install generates it when absent. */
    public String lockfile() {
        return lockfile;
    }

    public boolean accepts(String fileName) {
        return manifest.equals(fileName) || lockfile.equals(fileName)
                || (this == YARN && YarnConfig.FILE_NAME.equals(fileName));
    }

    /** The files a request for this manager may send, for messages. */
    public String filesText() {
        return manifest + " and optionally " + lockfile + (this == YARN ? " and (Yarn 2+) " + YarnConfig.FILE_NAME : "");
    }

    /** Toolchain versions a request must name, in the order the bundle hash takes them. */
    public List<String> versionNames() {
        return versionNames;
    }

    /** The directory the install fills, and the root of every bundle entry. */
    public String outputDir() {
        return outputDir;
    }

    public boolean allowsArg(String arg) {
        return allowedArgs.contains(arg);
    }

    public String allowedArgsText() {
        return String.join(", ", allowedArgs.stream().sorted().toList());
    }

    /** Whether installs run a JavaScript package manager provisioned from the npm registry with node. */
    public boolean isProvisionedJs() {
        return this == PNPM || this == YARN;
    }

    @Override
    public String toString() {
        return id.toLowerCase(Locale.ROOT);
    }
}
