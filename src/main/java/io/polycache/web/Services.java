package io.polycache.web;

import io.polycache.artifact.ArtifactService;
import io.polycache.auth.KeyRegistry;
import io.polycache.config.Settings;
import io.polycache.deps.DependencyCache;
import io.polycache.metrics.CacheMetrics;
import io.polycache.store.EntryStore;
import io.polycache.store.StorageDirectory;
import io.polycache.store.SpaceLedger;

/**
 * Everything the web layer uses, built once at start-up (boot.PolycacheListener) and handed to
 * the servlet filters ({@link io.polycache.web.filter.ServiceFilter}) and to Jersey
 * (boot.PolycacheApplication) through this one context attribute.
 *
 * @param keys the API keys, or null when the cache is public
 */
public record Services(Settings settings, StorageDirectory files, SpaceLedger ledger, EntryStore entries,
        CacheMetrics metrics, ArtifactService artifacts, DependencyCache deps, KeyRegistry keys) {
    public static final String ATTRIBUTE = Services.class.getName();
}
