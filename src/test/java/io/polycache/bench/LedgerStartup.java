package io.polycache.bench;

import io.polycache.store.EntryKind;
import io.polycache.store.StorageDirectory;
import io.polycache.store.LedgerSnapshot;
import io.polycache.store.ShardLayout;
import io.polycache.store.SpaceLedger;
import io.polycache.store.StoreScan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long start-up accounting takes: loading a snapshot of N entries, and scanning a store of
 * M artifacts on disk (what happens after a crash). Run by bench/ledger-startup.sh; prints one
 * CSV line per measurement: what, entries, milliseconds.
 */
public final class LedgerStartup {
    public static void main(String[] args) throws Exception {
        int snapshotEntries = Integer.parseInt(args[0]);
        int scannedArtifacts = Integer.parseInt(args[1]);
        Path root = Path.of(args[2]);
        StorageDirectory files = new StorageDirectory(new ShardLayout(root));
        files.open();

        SpaceLedger ledger = SpaceLedger.unbounded();
        byte[] key = new byte[32];
        for (int i = 0; i < snapshotEntries; i++) {
            ThreadLocalRandom.current().nextBytes(key);
            try (SpaceLedger.Reservation space = ledger.reserve(1000)) {
                space.commit(i % 10 == 0 ? EntryKind.BLOB : EntryKind.ENTRY, "polykit/" + HexFormat.of().formatHex(key), 1000);
            }
        }
        Path snapshot = files.layout().ledgerSnapshot();
        long started = System.nanoTime();
        LedgerSnapshot.save(ledger, snapshot, files, true);
        report("snapshot-save", snapshotEntries, started);
        for (int run = 0; run < 3; run++) {
            SpaceLedger loaded = SpaceLedger.unbounded();
            started = System.nanoTime();
            for (EntryKind kind : EntryKind.values()) {
                loaded.register(kind, name -> {});
            }
            LedgerSnapshot.load(loaded, snapshot);
            report("snapshot-load", snapshotEntries, started);
        }
        System.err.println("snapshot file bytes: " + Files.size(snapshot));

        for (int i = 0; i < scannedArtifacts; i++) {
            ThreadLocalRandom.current().nextBytes(key);
            String name = HexFormat.of().formatHex(key);
            Path file = files.layout().entry(io.polycache.artifact.ArtifactService.NAMESPACE,
                    new io.polycache.store.EntryKey(name));
            Files.createDirectories(file.getParent());
            Files.write(file, new byte[150]);
        }
        SpaceLedger scanned = SpaceLedger.unbounded();
        started = System.nanoTime();
        for (EntryKind kind : EntryKind.values()) {
            scanned.register(kind, name -> {});
        }
        new StoreScan(files.layout(), scanned, new io.polycache.store.BlobReferences(scanned), file -> java.util.List.of()).run();
        report("scan", scannedArtifacts, started);
    }

    private static void report(String what, int entries, long started) {
        System.out.println(what + "," + entries + "," + (System.nanoTime() - started) / 1_000_000);
    }
}
