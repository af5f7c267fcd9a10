package io.polycache.boot;

import io.polycache.artifact.ArtifactService;
import io.polycache.metrics.CacheMetrics;
import io.polycache.deps.DependencyCache;
import io.polycache.store.FileStore;
import io.polycache.store.SpaceLedger;

/** The services built at start-up, handed to Jersey by {@link PolycacheApplication}. */
record Services(FileStore files, SpaceLedger ledger, CacheMetrics metrics, ArtifactService artifacts,
        DependencyCache deps, String baseUrl) {
    static final String ATTRIBUTE = Services.class.getName();
}
