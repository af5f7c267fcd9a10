package io.polycache.boot;

import io.polycache.bundle.BundleStore;
import io.polycache.config.RetentionSettings;
import io.polycache.config.S3Settings;
import io.polycache.metrics.CacheMetrics;
import io.polycache.config.Settings;
import io.polycache.store.StorageDirectory;
import io.polycache.store.ShardLayout;
import io.polycache.store.SpaceLedger;
import io.polycache.store.StoreScan;
import io.polycache.store.fs.FsEntryStore;
import io.polycache.store.s3.ConditionalWriteCheck;
import io.polycache.store.s3.S3Clients;
import io.polycache.store.s3.S3EntryStore;
import io.polycache.store.s3.S3Health;
import io.polycache.store.s3.TieredEntryStore;
import io.polycache.store.s3.Touches;
import io.polycache.store.s3.BucketBound;
import io.polycache.store.s3.Janitor;
import java.io.IOException;
import java.util.logging.Logger;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The wiring of a node over a shared bucket: the S3 client, the start-up self-test, the local
 * tier (its own directory {@code <storageDir>/local-tier} and its own bound,
 * {@code polycache.localCacheSize}) and the tiered store every protocol stores through; and the
 * dependency cache's share ({@link SharedBundles}), whose local tier is the node's own
 * {@code objects/}, {@code indexes/} and {@code bundles/}.
 */
final class SharedStore implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SharedStore.class.getName());

    private final S3Client s3;
    private final TieredEntryStore entries;
    private final SharedBundles bundles;
    private final Touches touches;
    private final Janitor janitor; // null with polycache.s3.retention=none
    private final BucketBound bound;
    private final SpaceLedger localLedger;

    private SharedStore(S3Client s3, TieredEntryStore entries, SpaceLedger localLedger, SharedBundles bundles,
            Touches touches, Janitor janitor, BucketBound bound) {
        this.s3 = s3;
        this.entries = entries;
        this.localLedger = localLedger;
        this.bundles = bundles;
        this.touches = touches;
        this.janitor = janitor;
        this.bound = bound;
    }

    /** The local tier's figures and the retention's instruments: touches, and the janitor's. */
    void registerMetrics(CacheMetrics metrics) {
        metrics.registerLocalTier(localLedger);
        metrics.registerTouches(touches::done, touches::skipped, touches::failed);
        if (janitor != null) {
            metrics.registerJanitor(new CacheMetrics.JanitorView(bound::lastMeasured, bound::estimate, bound::hardLimit,
                    janitor::rounds, janitor::lastRoundSeconds, janitor::evictedEntries, janitor::evictedBytes,
                    janitor::holdsLease, janitor::sweptBlobs), bound != BucketBound.NONE);
        }
    }

    TieredEntryStore entries() {
        return entries;
    }

    /** The seam through which the dependency cache shares its blobs, ZIPs and indexes. */
    io.polycache.bundle.BundleShare bundles() {
        return bundles;
    }

    /**
     * @param files  the node's storage, whose temp area verifies uploads before they go up
     * @param ledger the node's space accounting, which pays for those temp files
     */
    static SharedStore open(Settings settings, StorageDirectory files, SpaceLedger ledger) {
        S3Settings config = settings.s3();
        S3Client s3 = S3Clients.create(config);
        try {
            ConditionalWriteCheck.run(s3, config.bucket(), config.prefix());
            StorageDirectory localFiles = new StorageDirectory(new ShardLayout(settings.storageDir().resolve("local-tier")));
            localFiles.open();
            long bound = config.localCacheSize();
            SpaceLedger localLedger = new SpaceLedger(bound, bound + bound / 20);
            FsEntryStore local = new FsEntryStore(localFiles, localLedger);
            Thread scan = new Thread(() -> {
                try {
                    StoreScan.entriesOnly(localFiles.layout(), localLedger).run();
                } catch (IOException | RuntimeException e) {
                    LOG.warning("Local tier scan failed: " + e);
                }
            }, "polycache-local-tier-scan");
            scan.setDaemon(true);
            scan.start();
            S3EntryStore remote = new S3EntryStore(s3, config.bucket(), config.prefix(), files, ledger, new S3Health());
            RetentionSettings retention = config.retention();
            Touches touches = retention.touches() ? new Touches(s3, config.bucket(), retention.touchAfter()) : Touches.NONE;
            remote.useTouches(touches);
            SharedBundles bundles = new SharedBundles(remote.besideEntries()); // shares the touches
            Janitor janitor = null;
            BucketBound bucketBound = BucketBound.NONE;
            if (retention.mode() == RetentionSettings.Mode.JANITOR) {
                bucketBound = new BucketBound(settings.maxCacheSizeHard());
                remote.useBound(bucketBound);
                janitor = new Janitor(s3, config.bucket(), config.prefix(), settings.maxCacheSize(), retention,
                        bucketBound);
                LOG.info("Shared store retention: janitor (node " + janitor.nodeId() + "), bucket bounded at "
                        + settings.maxCacheSize() + " bytes, writes refused past " + settings.maxCacheSizeHard());
            } else if (retention.mode() == RetentionSettings.Mode.LIFECYCLE) {
                // Lifecycle rules delete by age; one node at a time sweeps blobs no index references.
                janitor = new Janitor(s3, config.bucket(), config.prefix(), Janitor.SWEEP_ONLY, retention, bucketBound);
            }
            if (janitor != null) {
                janitor.start();
            }
            return new SharedStore(s3, new TieredEntryStore(local, localFiles, remote), localLedger, bundles, touches,
                    janitor, bucketBound);
        } catch (ConditionalWriteCheck.Failed e) {
            s3.close();
            LOG.severe("Polycache cannot start: " + e.getMessage());
            throw new StartupException(e.getMessage(), e);
        } catch (IOException e) {
            s3.close();
            String message = "local tier " + settings.storageDir().resolve("local-tier") + " is not usable: " + e;
            LOG.severe("Polycache cannot start: " + message);
            throw new StartupException(message, e);
        }
    }

    @Override
    public void close() {
        if (janitor != null) {
            janitor.close();
        }
        touches.close();
        bundles.close();
        entries.close();
        s3.close();
    }
}
