package io.polycache.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.store.BlobStore;
import io.polycache.store.StorageDirectory;
import io.polycache.store.Sha256;
import io.polycache.store.ShardLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZipAssemblerTest {
    @TempDir
    Path storage;

    StorageDirectory files;
    BlobStore blobs;
    TreeIngester ingester;

    @BeforeEach
    void open() throws IOException {
        files = new StorageDirectory(new ShardLayout(storage));
        files.open();
        blobs = new BlobStore(files, io.polycache.store.SpaceLedger.unbounded());
        ingester = new TreeIngester(blobs);
    }

    /** An installed tree in tmp/, as an install leaves it. */
    private Path tree() throws IOException {
        Path project = files.newTempDirectory("project-");
        Path pkg = Files.createDirectories(project.resolve("node_modules/tool/bin"));
        Files.writeString(pkg.resolve("cli.js"), "#!/usr/bin/env node\nconsole.log('hi')\n");
        Files.setPosixFilePermissions(pkg.resolve("cli.js"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(project.resolve("node_modules/tool/index.js"), "module.exports = 1;\n");
        Files.writeString(project.resolve("node_modules/tool/copy.js"), "module.exports = 1;\n"); // same bytes
        Files.createDirectories(project.resolve("node_modules/.bin"));
        Files.createSymbolicLink(project.resolve("node_modules/.bin/tool"), Path.of("../tool/bin/cli.js"));
        Files.writeString(project.resolve("package-lock.json"), "{}\n");
        Files.writeString(project.resolve("package.json"), "{}\n"); // not asked for: not bundled
        return project;
    }

    private BundleIndex index(List<IndexEntry> entries) {
        return new BundleIndex(new Sha256("ab".repeat(32)), "npm", Map.of("node", "20.0.0"), "node_modules", entries);
    }

    @Test
    void theSameIndexAlwaysGivesTheSameBytes() throws Exception {
        List<IndexEntry> entries = ingester.ingest(tree(), "node_modules", List.of("package-lock.json"));
        List<IndexEntry> shuffled = new ArrayList<>(entries);
        Collections.reverse(shuffled);
        Path first = storage.resolve("first.zip");
        Path second = storage.resolve("second.zip");
        new ZipAssembler(blobs).write(index(entries), first);
        new ZipAssembler(blobs).write(index(shuffled), second);
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
        // and the digest a scrub checks a stored ZIP against is the one of these bytes (links included)
        assertEquals(new Sha256(HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(first)))),
                new ZipAssembler(blobs).sha256(index(entries)));
    }

    @Test
    void entriesKeepModesAndLinksInPathOrder() throws IOException {
        List<IndexEntry> entries = ingester.ingest(tree(), "node_modules", List.of("package-lock.json"));
        Path zip = storage.resolve("b.zip");
        new ZipAssembler(blobs).write(index(entries), zip);
        try (ZipFile read = ZipFile.builder().setPath(zip).get()) {
            List<String> names = new ArrayList<>();
            read.getEntriesInPhysicalOrder().asIterator().forEachRemaining(e -> names.add(e.getName()));
            assertEquals(List.of("node_modules/.bin/tool", "node_modules/tool/bin/cli.js", "node_modules/tool/copy.js",
                    "node_modules/tool/index.js", "package-lock.json"), names);
            ZipArchiveEntry link = read.getEntry("node_modules/.bin/tool");
            assertTrue(link.isUnixSymlink());
            assertEquals("../tool/bin/cli.js", new String(read.getInputStream(link).readAllBytes(), StandardCharsets.UTF_8));
            assertEquals(0100755, read.getEntry("node_modules/tool/bin/cli.js").getUnixMode());
            assertEquals(0100644, read.getEntry("node_modules/tool/index.js").getUnixMode());
        }
    }

    @Test
    void filesComeOutAsTheyWentInFromDeflatedBlobs() throws IOException {
        Path project = tree();
        byte[] big = ("module.exports = " + "'x'.repeat(1000) + ".repeat(2000) + "'';\n").getBytes(StandardCharsets.UTF_8);
        Files.write(project.resolve("node_modules/tool/big.js"), big);
        Files.createFile(project.resolve("node_modules/tool/empty.js"));
        List<IndexEntry> entries = ingester.ingest(project, "node_modules", List.of("package-lock.json"));
        IndexEntry bigEntry = entries.stream().filter(e -> e.path().endsWith("big.js")).findFirst().orElseThrow();
        assertEquals(big.length, bigEntry.size());
        assertEquals(bigEntry.storedSize(), Files.size(files.layout().object(bigEntry.blob())));
        assertTrue(bigEntry.storedSize() < big.length / 10, "the blob is stored deflated: " + bigEntry);
        Path zip = storage.resolve("d.zip");
        new ZipAssembler(blobs).write(index(entries), zip);
        // java.util.zip checks every entry's CRC-32 and sizes as it inflates.
        java.util.Map<String, byte[]> read = new java.util.HashMap<>();
        try (var in = new java.util.zip.ZipInputStream(Files.newInputStream(zip))) {
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                read.put(e.getName(), in.readAllBytes());
            }
        }
        assertArrayEquals(big, read.get("node_modules/tool/big.js"));
        assertEquals(0, read.get("node_modules/tool/empty.js").length);
        assertEquals("#!/usr/bin/env node\nconsole.log('hi')\n",
                new String(read.get("node_modules/tool/bin/cli.js"), StandardCharsets.UTF_8));
        assertEquals("{}\n", new String(read.get("package-lock.json"), StandardCharsets.UTF_8));
        assertEquals("../tool/bin/cli.js", new String(read.get("node_modules/.bin/tool"), StandardCharsets.UTF_8));
    }

    @Test
    void aBlobStoredBeforeIsDescribedAsItIsOnDisk() throws IOException {
        List<IndexEntry> first = ingester.ingest(tree(), "node_modules", List.of("package-lock.json"));
        List<IndexEntry> second = ingester.ingest(tree(), "node_modules", List.of("package-lock.json"));
        assertEquals(first, second);
        // An older writer (another zlib) may have stored other deflated bytes for the same content:
        // the index takes the stored form from the file, not from its own compression.
        IndexEntry cli = first.stream().filter(e -> e.path().endsWith("cli.js")).findFirst().orElseThrow();
        Path blob = files.layout().object(cli.blob());
        byte[] stored = new java.io.ByteArrayOutputStream() {{
            var deflater = new java.util.zip.Deflater(1, true);
            try (var out = new java.util.zip.DeflaterOutputStream(this, deflater)) {
                out.write("#!/usr/bin/env node\nconsole.log('hi')\n".getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            deflater.end();
        }}.toByteArray();
        Files.delete(blob);
        Files.write(blob, stored);
        List<IndexEntry> third = ingester.ingest(tree(), "node_modules", List.of("package-lock.json"));
        IndexEntry again = third.stream().filter(e -> e.path().endsWith("cli.js")).findFirst().orElseThrow();
        assertEquals(cli.blob(), again.blob());
        assertEquals(cli.crc32(), again.crc32());
        assertEquals(stored.length, again.storedSize());
        Path zip = storage.resolve("e.zip");
        new ZipAssembler(blobs).write(index(third), zip);
        try (ZipFile read = ZipFile.builder().setPath(zip).get()) {
            assertEquals("#!/usr/bin/env node\nconsole.log('hi')\n", new String(
                    read.getInputStream(read.getEntry("node_modules/tool/bin/cli.js")).readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void identicalFilesAreStoredOnce() throws IOException {
        List<IndexEntry> entries = ingester.ingest(tree(), "node_modules", List.of("package-lock.json"));
        IndexEntry index = entries.stream().filter(e -> e.path().endsWith("index.js")).findFirst().orElseThrow();
        IndexEntry copy = entries.stream().filter(e -> e.path().endsWith("copy.js")).findFirst().orElseThrow();
        assertEquals(index.blob(), copy.blob());
        try (var stored = Files.walk(storage.resolve("objects"))) {
            assertEquals(3, stored.filter(Files::isRegularFile).count()); // cli.js, index.js = copy.js, lockfile
        }
    }

    @Test
    void aLinkOutOfTheTreeRefusesTheWholeTreeBeforeStoringAnything() throws IOException {
        Path project = tree();
        Files.createSymbolicLink(project.resolve("node_modules/escape"), Path.of("/etc"));
        UnsafeEntryException e = assertThrows(UnsafeEntryException.class,
                () -> ingester.ingest(project, "node_modules", List.of()));
        assertEquals("link 'node_modules/escape' points outside node_modules/: /etc", e.getMessage());
        assertFalse(Files.exists(storage.resolve("objects")));
    }

    @Test
    void aCorruptBlobFailsTheBuild() throws IOException {
        List<IndexEntry> entries = ingester.ingest(tree(), "node_modules", List.of());
        IndexEntry file = entries.stream().filter(e -> !e.isLink()).findFirst().orElseThrow();
        Path blob = files.layout().object(file.blob());
        byte[] stored = Files.readAllBytes(blob);
        stored[0] ^= 1; // still the stored length: only the hash of the stored bytes can tell
        Files.write(blob, stored);
        IOException e = assertThrows(IOException.class,
                () -> new ZipAssembler(blobs).write(index(entries), storage.resolve("c.zip")));
        assertTrue(e.getMessage().contains("is corrupt"), e.getMessage());
    }

    @Test
    void theIndexRoundTripsThroughItsJson() throws IOException {
        BundleIndex index = index(ingester.ingest(tree(), "node_modules", List.of("package-lock.json")));
        Path file = storage.resolve("x.index");
        try (var out = Files.newOutputStream(file)) {
            IndexCodec.write(index, out);
        }
        try (var in = Files.newInputStream(file)) {
            assertEquals(index, IndexCodec.read(in));
        }
        try (var in = Files.newInputStream(file)) {
            assertEquals(index.installedBytes(), IndexCodec.installedBytes(in));
        }
    }
}
