package io.polycache.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.store.BlobStore;
import io.polycache.store.Sha256;
import io.polycache.store.ShardLayout;
import io.polycache.store.SpaceLedger;
import io.polycache.store.StorageDirectory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bundle stores of several nodes over one share, held in memory here with the share's rules
 * (write-once, the index refused when one is there): who wins, what the losers adopt, and what a
 * node without the bundle serves. The same flows over S3Proxy with real installs are in
 * {@code SharedStoreIT}.
 */
class BundleShareTest {
    private static final Sha256 HASH = new Sha256("ab".repeat(32));
    private static final Map<String, String> VERSIONS = Map.of("node", "20.0.0");

    @TempDir
    Path dir;

    private final MemoryShare share = new MemoryShare();

    /** One node: its own storage directory and bundle store, over the common share. */
    private final class Node {
        final StorageDirectory files;
        final BlobStore blobs;
        final BundleStore bundles;

        Node(String name) throws IOException {
            files = new StorageDirectory(new ShardLayout(dir.resolve(name)));
            files.open();
            SpaceLedger ledger = SpaceLedger.unbounded();
            blobs = new BlobStore(files, ledger);
            bundles = new BundleStore(files, blobs, ledger, (duration, bytes) -> {}, share);
        }

        /** Installs a tree whose one file holds {@code content}, committing it as bundle {@link #HASH}. */
        BundleIndex install(String content) throws IOException {
            Path project = files.newTempDirectory("project-");
            Files.writeString(Files.createDirectories(project.resolve("node_modules/a")).resolve("index.js"), content);
            List<IndexEntry> entries = new TreeIngester(blobs).ingest(project, "node_modules", List.of());
            BundleIndex index = new BundleIndex(HASH, "npm", VERSIONS, "node_modules", entries);
            bundles.commit(index);
            StorageDirectory.deleteRecursively(project);
            return index;
        }

        byte[] zip() throws IOException {
            try (BundleStore.OpenBundle open = bundles.open(HASH).orElseThrow()) {
                return Channels.newInputStream(open.data()).readAllBytes();
            }
        }

        Path indexFile() {
            return files.layout().index(HASH, "npm", "20.0.0");
        }
    }

    @Test
    void theLoserOfTheIndexAdoptsTheWinnersAndServesTheSameZip() throws IOException {
        Node a = new Node("a");
        Node b = new Node("b");
        a.install("module.exports = 'a';\n");
        b.install("module.exports = 'b, a different install';\n"); // loses: an index is there

        assertEquals(1, share.indexes.size());
        assertArrayEquals(Files.readAllBytes(a.indexFile()), Files.readAllBytes(b.indexFile()), "the winner's index");
        assertArrayEquals(a.zip(), b.zip());
        assertArrayEquals(a.zip(), share.bundles.get(HASH.value() + ".zip").bytes(), "the shared ZIP is the winner's");
        try (var left = Files.list(b.files.layout().tmp())) {
            assertEquals(List.of(), left.filter(Files::isRegularFile).toList(), "no temp file left");
        }
    }

    @Test
    void aZipSharedByTheLoserOfARaceIsNeverServedForTheWinnersIndex() throws IOException {
        Node a = new Node("a");
        share.bundles.put(HASH.value() + ".zip", new Shared("not the ZIP of the winning index".getBytes(),
                "cd".repeat(32))); // the loser's ZIP went up first; its index lost
        a.install("module.exports = 'a';\n");
        Node cold = new Node("cold");
        assertTrue(cold.bundles.exists(HASH), "adopted from the share");
        assertArrayEquals(a.zip(), cold.zip(), "built from the index, not taken from the loser's ZIP");
    }

    @Test
    void aNodeWithoutTheBundleBuildsAMissingZipFromTheSharedIndexAndBlobsAndSharesIt() throws IOException {
        Node a = new Node("a");
        a.install("module.exports = 'a';\n");
        byte[] zip = a.zip();
        share.bundles.clear();
        Node cold = new Node("cold");
        assertArrayEquals(zip, cold.zip());
        assertArrayEquals(zip, share.bundles.get(HASH.value() + ".zip").bytes(), "shared again");
        assertFalse(Files.exists(cold.files.layout().objectsDir()), "blobs read from the share, not copied here");
    }

    @Test
    void aBundleWhoseBlobIsGoneFromTheShareTooIsRemovedThereSoItInstallsAgain() throws IOException {
        Node a = new Node("a");
        a.install("module.exports = 'a';\n");
        share.bundles.clear();
        share.blobs.clear();
        Node cold = new Node("cold");
        assertTrue(cold.bundles.open(HASH).isEmpty(), "no ZIP can be built");
        assertTrue(share.indexes.isEmpty(), "the shared index went");
        assertFalse(cold.bundles.exists(HASH));
        cold.install("module.exports = 'again';\n");
        assertEquals(1, share.indexes.size());
        assertNotEquals(0, cold.zip().length);
    }

    private record Shared(byte[] bytes, String builtFrom) {}

    /** The share's rules, in memory: blobs and ZIPs keep the first copy, an index is refused when one is there. */
    private static final class MemoryShare implements BundleShare {
        final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
        final Map<String, Shared> bundles = new ConcurrentHashMap<>();
        final Map<String, byte[]> indexes = new ConcurrentHashMap<>();

        @Override
        public boolean enabled() {
            return true;
        }

        @Override
        public void putBlobs(java.util.Collection<Sha256> shared, java.util.function.Function<Sha256, Path> storedFile)
                throws IOException {
            for (Sha256 blob : shared) {
                blobs.putIfAbsent(blob.value(), Files.readAllBytes(storedFile.apply(blob)));
            }
        }

        @Override
        public Optional<InputStream> openBlob(Sha256 blob) {
            return Optional.ofNullable(blobs.get(blob.value())).map(ByteArrayInputStream::new);
        }

        @Override
        public void putBundle(Sha256 hash, Path zip, Sha256 indexSha) throws IOException {
            bundles.putIfAbsent(hash.value() + ".zip", new Shared(Files.readAllBytes(zip), indexSha.value()));
        }

        @Override
        public boolean fetchBundle(Sha256 hash, Sha256 indexSha, Path target) throws IOException {
            Shared found = bundles.get(hash.value() + ".zip");
            if (found == null || !found.builtFrom().equals(indexSha.value())) {
                return false;
            }
            Files.write(target, found.bytes());
            return true;
        }

        @Override
        public boolean commitIndex(String fileName, Path indexFile) throws IOException {
            return indexes.putIfAbsent(fileName, Files.readAllBytes(indexFile)) == null;
        }

        @Override
        public Optional<String> fetchIndex(Sha256 hash, Path target) throws IOException {
            for (Map.Entry<String, byte[]> index : indexes.entrySet()) {
                if (index.getKey().startsWith(hash.value() + ".")) {
                    Files.write(target, index.getValue());
                    return Optional.of(index.getKey());
                }
            }
            return Optional.empty();
        }

        @Override
        public void dropIndex(String fileName) {
            indexes.remove(fileName);
        }
    }
}
