package io.polycache.boot;

import io.polycache.artifact.ArtifactService;
import io.polycache.bundle.BundleStats;
import io.polycache.bundle.BundleStore;
import io.polycache.bundle.TreeIngester;
import io.polycache.config.DependencySettings;
import io.polycache.deps.DependencyCache;
import io.polycache.deps.Installer;
import io.polycache.auth.KeyFileException;
import io.polycache.auth.KeyRegistry;
import io.polycache.config.Settings;
import io.polycache.config.SettingsException;
import io.polycache.metrics.CacheMetrics;
import io.polycache.web.buildcache.BuildCache;
import io.polycache.store.BlobFormat;
import io.polycache.store.BlobStore;
import io.polycache.store.EntryStore;
import io.polycache.store.StorageDirectory;
import io.polycache.store.LedgerSnapshot;
import io.polycache.store.ShardLayout;
import io.polycache.store.SpaceLedger;
import io.polycache.store.StoreScan;
import io.polycache.store.fs.FsEntryStore;
import io.polycache.store.fs.LegacyArtifacts;
import io.polycache.web.Services;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.logging.Logger;

/**
 * The one wiring path, in Tomcat and standalone alike: reads the settings, opens the store,
 * builds the services and leaves them in the servlet context for filters and Jersey.
 */
public final class PolycacheListener implements ServletContextListener {
    private static final Logger LOG = Logger.getLogger(PolycacheListener.class.getName());

    /** Context attribute with the absolute storage path, for the standalone launcher's start-up line. */
    public static final String STORAGE_ATTRIBUTE = "io.polycache.storageDir";

    /** Context attribute describing the access control in force, for the same line. */
    public static final String AUTH_ATTRIBUTE = "io.polycache.authMode";

    private StorageLock lock;
    private StorageDirectory files;
    private DependencyCache deps;
    private SpaceLedger ledger;
    /** Loads the ledger, then scans the store if the snapshot was not clean. */
    private Thread scan;
    /** The ledger accounts for every file: loaded from a clean snapshot, or scanned. */
    private volatile boolean accounted;
    private CacheMetrics metrics;
    private FsEntryStore entries;
    private SharedStore shared;
    private io.polycache.store.Scrubber scrubber;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        Settings settings;
        try {
            settings = Settings.from(Collections.list(context.getInitParameterNames()), context::getInitParameter);
        } catch (SettingsException e) {
            LOG.severe("Polycache cannot start: " + e.getMessage());
            throw new StartupException(e.getMessage(), null);
        }
        try {
            lock = StorageLock.acquire(settings.storageDir(), context.getServerInfo() + " context '"
                    + context.getContextPath() + "'");
        } catch (IOException | StorageLock.HeldException e) {
            String message = e instanceof StorageLock.HeldException ? e.getMessage()
                    : "storage directory " + settings.storageDir() + " is not usable: " + e;
            LOG.severe("Polycache cannot start: " + message);
            throw new StartupException(message, null);
        }
        files = new StorageDirectory(new ShardLayout(settings.storageDir()));
        try {
            files.open();
            BlobFormat.upgrade(files); // before the ledger is loaded: it may remove its snapshot
            LegacyArtifacts.convert(files, ArtifactService.NAMESPACE); // likewise
        } catch (IOException e) {
            String message = "storage directory " + settings.storageDir() + " is not usable: " + e;
            LOG.severe("Polycache cannot start: " + message);
            throw new StartupException(message, e);
        }
        String authMode = "public";
        KeyRegistry keys = null;
        if (!settings.publicAccess()) {
            try {
                keys = KeyRegistry.load(settings.apiKeysFile(), settings.apiKeys());
            } catch (KeyFileException e) {
                LOG.severe("Polycache cannot start: " + e.getMessage());
                throw new StartupException(e.getMessage(), null);
            }
            authMode = keys.describe() + (settings.anonymousRead() ? ", anonymous reads" : "");
        }
        SpaceLedger ledger = new SpaceLedger(settings.maxCacheSize(), settings.maxCacheSizeHard());
        entries = new FsEntryStore(files, ledger);
        EntryStore entryStore = entries;
        if (settings.s3().enabled()) {
            shared = SharedStore.open(settings, files, ledger); // refuses to start on a store unfit for it
            entryStore = shared.entries();
        }
        ArtifactService artifactService = new ArtifactService(entryStore);
        metrics = new CacheMetrics(ledger);
        if (shared != null) {
            shared.registerMetrics(metrics);
        }
        metrics.registerProtocol(CacheMetrics.POLYKIT);
        BuildCache.protocolNames().forEach(metrics::registerProtocol);
        metrics.registerProtocol("turbo");
        metrics.registerProtocol("nx");
        BlobStore blobs = new BlobStore(files, ledger);
        BundleStore bundles = new BundleStore(files, blobs, ledger, metrics::bundleBuild,
                shared == null ? io.polycache.bundle.BundleShare.NONE : shared.bundles());
        openLedger(ledger, files, blobs.references()); // refuses unless every store has registered its evictor
        this.ledger = ledger;
        try {
            deps = dependencyCache(files, blobs, bundles, settings, metrics);
        } catch (IOException e) {
            String message = "toolchains directory " + files.layout().toolchains() + " is not usable: " + e;
            LOG.severe("Polycache cannot start: " + message);
            throw new StartupException(message, e);
        }
        if (settings.scrub().enabled()) {
            // Over S3 the node's own entries are the copies in its local tier.
            io.polycache.store.Scrubber.Target entryTarget = shared == null ? entries::scrub : shared.entries()::scrub;
            scrubber = new io.polycache.store.Scrubber(settings.scrub().bytesPerSecond(),
                    settings.scrub().intervalSeconds() * 1000L, java.util.List.of(entryTarget, bundles::scrub));
            metrics.registerScrub(scrubber);
            scrubber.start();
        }
        Services services = new Services(settings, files, ledger, entryStore, metrics, artifactService, deps, keys);
        context.setAttribute(Services.ATTRIBUTE, services);
        context.setAttribute(STORAGE_ATTRIBUTE, settings.storageDir().toString());
        context.setAttribute(AUTH_ATTRIBUTE, authMode);
        LOG.info("Polycache " + io.polycache.config.Version.current() + " started: storage " + settings.storageDir()
                + ", auth: " + authMode + ", max artifact size " + settings.maxArtifactSize() + " bytes, "
                + settings.describeCacheBound() + (shared == null ? "" : ", shared store " + settings.s3()));
    }

    private static DependencyCache dependencyCache(StorageDirectory files, BlobStore blobs, BundleStore bundles,
            Settings all, CacheMetrics metrics) throws IOException {
        DependencySettings settings = all.deps();
        Installer installer = new Installer(files, new TreeIngester(blobs), bundles, System.getenv(),
                Duration.ofSeconds(settings.installTimeoutSeconds()), all.toolchains());
        installer.open();
        return new DependencyCache(files, bundles, new BundleStats(files.layout()), installer,
                settings.installConcurrency(), settings.installQueueSize(), metrics::install);
    }

    /**
     * Loads the accounting from its snapshot in the background (reads are served meanwhile;
     * writes and removals wait for it, see {@link SpaceLedger#startLoading}); after a crash, or
     * on a directory never accounted for, the same thread then scans the store (serving
     * meanwhile, writes included).
     */
    private void openLedger(SpaceLedger ledger, StorageDirectory files, io.polycache.store.BlobReferences references) {
        ledger.startLoading();
        scan = new Thread(() -> {
            long started = System.nanoTime();
            boolean clean = false;
            try {
                clean = LedgerSnapshot.load(ledger, files.layout().ledgerSnapshot());
            } catch (IOException | RuntimeException e) {
                LOG.warning("Could not read the ledger snapshot: " + e.getMessage());
            } finally {
                ledger.finishLoading();
            }
            LOG.info("Ledger loaded: " + ledger.used() + " bytes accounted in "
                    + (System.nanoTime() - started) / 1_000_000 + " ms" + (clean ? "" : "; scanning the store"));
            if (clean) {
                accounted = true;
                return;
            }
            try {
                new StoreScan(files.layout(), ledger, references, BundleStore::blobsOfIndexFile).run();
                accounted = true;
            } catch (IOException | RuntimeException e) {
                LOG.warning("Store scan failed: " + e);
            }
        }, "polycache-ledger-load");
        scan.setDaemon(true);
        scan.start();
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        try {
            stop();
        } finally {
            if (lock != null) {
                lock.close(); // last: until here this process still writes to the directory
            }
        }
    }

    private void stop() {
        if (scrubber != null) {
            scrubber.close();
        }
        if (deps != null) {
            deps.close(); // kills running installs before tmp/ is emptied under them
        }
        if (shared != null) {
            shared.close();
        }
        if (entries != null) {
            entries.close();
        }
        if (files == null) {
            return;
        }
        try {
            files.clearTmp();
        } catch (IOException e) {
            LOG.warning("Could not empty " + files.layout().tmp() + ": " + e.getMessage());
        }
        if (metrics != null) {
            metrics.close();
        }
        if (ledger != null) {
            ledger.awaitLoaded(); // a snapshot saved now must hold every entry of the one being loaded
            boolean clean = accounted;
            try {
                LedgerSnapshot.save(ledger, files.layout().ledgerSnapshot(), files, clean);
            } catch (IOException e) {
                LOG.warning("Could not save the ledger snapshot: " + e.getMessage());
            }
        }
    }
}
