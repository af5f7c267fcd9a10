package io.polycache.boot;

import io.polycache.bundle.BundleStore;
import io.polycache.config.S3Settings;
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

    private SharedStore(S3Client s3, TieredEntryStore entries, SharedBundles bundles) {
        this.s3 = s3;
        this.entries = entries;
        this.bundles = bundles;
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
            return new SharedStore(s3, new TieredEntryStore(local, localFiles, remote),
                    new SharedBundles(remote.besideEntries()));
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
        bundles.close();
        entries.close();
        s3.close();
    }
}
