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
 */
public record InstallRequest(Manager manager, Versions versions, List<String> customArgs,
        SortedMap<String, Path> files, RunnerPlatform platform) {
    public InstallRequest {
        customArgs = List.copyOf(customArgs);
        files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
    }

    /** A request for the server's own platform. */
    public InstallRequest(Manager manager, Versions versions, List<String> customArgs, SortedMap<String, Path> files) {
        this(manager, versions, customArgs, files, null);
    }

    public boolean hasLockfile() {
        return files.containsKey(manager.lockfile());
    }
}
