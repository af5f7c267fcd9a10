package io.polycache.deps;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A validated request to cache a project's dependencies.
 *
 * @param files    the uploaded files by name, sorted by name, each in a staging file that the
 *                 {@link RequestDraft} this came from owns
 * @param platform the runner's platform to install for; null: the server's own (and the hash
 *                 DepCacheProxy computes)
 * @param yarn     for Yarn 2+, the accepted {@code .yarnrc.yml} settings and the linker they select
 *                 ({@link YarnConfig#ABSENT} without the file); null for other managers and Yarn 1
 */
public record InstallRequest(Manager manager, Versions versions, List<String> customArgs,
        SortedMap<String, Path> files, RunnerPlatform platform, YarnConfig yarn) {
    public InstallRequest {
        customArgs = List.copyOf(customArgs);
        files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
    }

    public InstallRequest(Manager manager, Versions versions, List<String> customArgs, SortedMap<String, Path> files,
            RunnerPlatform platform) {
        this(manager, versions, customArgs, files, platform, null);
    }

    /** A request for the server's own platform. */
    public InstallRequest(Manager manager, Versions versions, List<String> customArgs, SortedMap<String, Path> files) {
        this(manager, versions, customArgs, files, null);
    }

    /** Whether the install is Yarn 2+ Plug'n'Play: the bundle holds .pnp.cjs and .yarn/, not node_modules/. */
    public boolean plugNPlay() {
        return yarn != null && yarn.plugNPlay();
    }

    /** The folder the install fills: the manager's, or {@code .yarn} for Plug'n'Play. */
    public String outputRoot() {
        return yarn != null ? yarn.root() : manager.outputDir();
    }

    /** Files beside the manifest that the install writes and the bundle carries, when present. */
    public List<String> outputFiles() {
        List<String> files = new java.util.ArrayList<>(plugNPlay() ? YarnConfig.PNP_FILES : List.of());
        if (!hasLockfile()) {
            files.add(manager.lockfile());
        }
        return files;
    }

    public boolean hasLockfile() {
        return files.containsKey(manager.lockfile());
    }
}
