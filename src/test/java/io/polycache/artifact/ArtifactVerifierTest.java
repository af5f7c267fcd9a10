package io.polycache.artifact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import io.polycache.store.CacheKey;
import io.polycache.testing.PolykitArtifact;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArtifactVerifierTest {
    private static final String KEY = "abcdef0123456789abcdef0123456789";

    private final ArtifactVerifier verifier = new ArtifactVerifier();

    private ArtifactVerifier.Verified verify(byte[] body) {
        return verifier.verify(new ByteArrayInputStream(body), CacheKey.parse(KEY));
    }

    private String failure(byte[] body) {
        return assertThrows(InvalidArtifactException.class, () -> verify(body)).getMessage();
    }

    @Test
    void acceptsWhatThePolykitClientBuilds() {
        PolykitArtifact artifact = new PolykitArtifact(KEY);
        ArtifactVerifier.Verified verified = verify(artifact.bytes());
        assertEquals(2, verified.fileCount());
        assertEquals(artifact.manifest.get("total_size").asLong(), verified.totalSize());
    }

    @Test
    void acceptsAnUpperCaseKeyHashInMetadata() {
        PolykitArtifact artifact = new PolykitArtifact(KEY.toUpperCase());
        verify(artifact.bytes());
    }

    @Test
    void acceptsAnArtifactWithNoFiles() {
        verify(new PolykitArtifact(KEY, Map.of()).bytes());
    }

    @Test
    void acceptsLongPathsInGnuHeaders() {
        String longPath = "deep/" + "x".repeat(150) + "/file.txt";
        verify(new PolykitArtifact(KEY, Map.of(longPath, new byte[] {1, 2, 3})).bytes());
    }

    @Test
    void refusesABodyThatIsNotZstd() {
        assertTrue(failure("plain text".getBytes(StandardCharsets.UTF_8)).contains("not a valid zstd stream"));
    }

    @Test
    void refusesATruncatedZstdStream() {
        byte[] body = new PolykitArtifact(KEY).bytes();
        String message = failure(Arrays.copyOf(body, body.length - 10));
        assertTrue(message.startsWith("Invalid artifact: "), message);
    }

    @Test
    void refusesAZstdStreamCutShortAfterTheTar() {
        // 1 MiB of random bytes after the tar's last block, then the frame cut: the tar reads
        // whole, only decompressing the stream to its end finds the cut.
        byte[] tar = new PolykitArtifact(KEY).tar();
        byte[] padded = Arrays.copyOf(tar, tar.length + 1024 * 1024);
        byte[] noise = new byte[1024 * 1024];
        new java.util.Random(7).nextBytes(noise);
        System.arraycopy(noise, 0, padded, tar.length, noise.length);
        byte[] body = Zstd.compress(padded, 3);
        verify(body);
        String message = failure(Arrays.copyOf(body, body.length - 3));
        assertTrue(message.startsWith("Invalid artifact: "), message);
    }

    @Test
    void refusesAMetadataEntryCutShort() {
        // metadata.json is the tar's first entry: its header, then 5 of its bytes, then the end
        byte[] tar = new PolykitArtifact(KEY).tar();
        String message = failure(Zstd.compress(Arrays.copyOf(tar, 512 + 5), 3));
        assertTrue(message.startsWith("Invalid artifact: "), message);
    }

    @Test
    void refusesZstdOfSomethingThatIsNotATar() {
        byte[] garbage = new byte[4096];
        Arrays.fill(garbage, (byte) 'x');
        assertTrue(failure(Zstd.compress(garbage, 3)).startsWith("Invalid artifact: "));
    }

    @Test
    void refusesAMissingMetadataFile() {
        PolykitArtifact artifact = new PolykitArtifact(KEY);
        artifact.includeMetadata = false;
        assertEquals("Invalid artifact: metadata.json is missing", failure(artifact.bytes()));
    }

    @Test
    void refusesAMissingManifestFile() {
        PolykitArtifact artifact = new PolykitArtifact(KEY);
        artifact.includeManifest = false;
        assertEquals("Invalid artifact: manifest.json is missing", failure(artifact.bytes()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"package_name", "task_name", "command", "cache_key_hash", "created_at", "version"})
    void refusesMetadataWithoutARequiredField(String field) {
        PolykitArtifact artifact = new PolykitArtifact(KEY);
        artifact.metadata.remove(field);
        assertEquals("Invalid artifact: metadata.json lacks the field " + field, failure(artifact.bytes()));
    }

    @Test
    void refusesMetadataThatIsNotJson() {
        PolykitArtifact artifact = new PolykitArtifact(KEY);
        artifact.includeMetadata = false;
        artifact.extraEntries.put("metadata.json", "{not json".getBytes(StandardCharsets.UTF_8));
        assertEquals("Invalid artifact: metadata.json is not valid JSON", failure(artifact.bytes()));
    }

    @Test
    void refusesAnArtifactForAnotherKey() {
        PolykitArtifact artifact = new PolykitArtifact("ffffffffffffffffffffffffffffffff");
        assertTrue(failure(artifact.bytes()).contains("does not match the key " + KEY));
    }

    @Test
    void refusesAFileWhoseContentDoesNotMatchItsDigest() {
        PolykitArtifact artifact = new PolykitArtifact(KEY);
        artifact.outputs.put("dist/index.js", "tampered".getBytes(StandardCharsets.UTF_8));
        artifact.manifest.put("total_size", 8 + 6);
        assertTrue(failure(artifact.bytes()).contains("SHA-256 mismatch for dist/index.js"));
    }

    @Test
    void refusesAListedFileThatIsMissing() {
        PolykitArtifact artifact = new PolykitArtifact(KEY);
        artifact.outputs.remove("dist/sub/readme.txt");
        assertEquals("Invalid artifact: file dist/sub/readme.txt is listed in manifest.json but missing from outputs/",
                failure(artifact.bytes()));
    }

    @Test
    void refusesAnOutputThatIsNotListed() {
        PolykitArtifact artifact = new PolykitArtifact(KEY);
        artifact.outputs.put("dist/extra.bin", new byte[0]);
        assertEquals("Invalid artifact: outputs/dist/extra.bin is not listed in manifest.json", failure(artifact.bytes()));
    }

    @Test
    void refusesAWrongTotalSize() {
        PolykitArtifact artifact = new PolykitArtifact(KEY);
        artifact.manifest.put("total_size", 1);
        assertTrue(failure(artifact.bytes()).contains("total_size in manifest.json is 1 but the files add up to"));
    }

    @Test
    void refusesAManifestWithoutTotalSize() {
        PolykitArtifact artifact = new PolykitArtifact(KEY);
        artifact.manifest.remove("total_size");
        assertEquals("Invalid artifact: manifest.json lacks the number total_size", failure(artifact.bytes()));
    }

    @Test
    void refusesAManifestWithoutFiles() {
        PolykitArtifact artifact = new PolykitArtifact(KEY);
        artifact.manifest.remove("files");
        assertEquals("Invalid artifact: manifest.json lacks the object files", failure(artifact.bytes()));
    }

    @Test
    void refusesEntriesOutsideTheFormat() {
        PolykitArtifact artifact = new PolykitArtifact(KEY);
        artifact.extraEntries.put("README", new byte[0]);
        assertEquals("Invalid artifact: unexpected entry README", failure(artifact.bytes()));
    }

    @Test
    void refusesEntriesNamedWithDotSlashSayingHowToArchive() {
        PolykitArtifact artifact = new PolykitArtifact(KEY, Map.of());
        artifact.extraEntries.put("./outputs/a.txt", new byte[0]);
        assertEquals("Invalid artifact: entry ./outputs/a.txt starts with ./: archive the names themselves, "
                + "tar -c metadata.json manifest.json outputs, not tar -c .", failure(artifact.bytes()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"created_at", "version"})
    void refusesMetadataWhoseIntegerFieldsAreNotIntegers(String field) {
        PolykitArtifact artifact = new PolykitArtifact(KEY);
        artifact.metadata.put(field, "1763700000");
        assertEquals("Invalid artifact: " + field + " in metadata.json must be an integer, not \"1763700000\"",
                failure(artifact.bytes()));
        artifact.metadata.put(field, 1.5);
        assertEquals("Invalid artifact: " + field + " in metadata.json must be an integer, not 1.5",
                failure(artifact.bytes()));
    }

    @Test
    void refusesPathsThatClimbOutOfOutputs() {
        PolykitArtifact artifact = new PolykitArtifact(KEY, Map.of());
        artifact.extraEntries.put("outputs/../../etc/passwd", new byte[0]);
        assertEquals("Invalid artifact: unsafe path outputs/../../etc/passwd", failure(artifact.bytes()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"outputs/../../escaped/", "outputs/a/../../../x/", "outputs/../"})
    void refusesDirectoryEntriesThatClimbOutOfOutputs(String directory) {
        PolykitArtifact artifact = new PolykitArtifact(KEY, Map.of());
        artifact.extraEntries.put(directory, new byte[0]); // a name ending in / is a directory entry
        assertEquals("Invalid artifact: unsafe path " + directory, failure(artifact.bytes()));
    }

    @Test
    void acceptsPlainDirectoryEntriesUnderOutputs() {
        PolykitArtifact artifact = new PolykitArtifact(KEY, Map.of("dist/a.js", new byte[] {1}));
        artifact.extraEntries.put("outputs/", new byte[0]);
        artifact.extraEntries.put("outputs/dist/", new byte[0]);
        verifier.verify(new java.io.ByteArrayInputStream(artifact.bytes()), io.polycache.store.CacheKey.parse(KEY));
    }

    @Test
    void refusesSymbolicLinks() throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar)) {
            TarArchiveEntry link = new TarArchiveEntry("outputs/link", TarConstants.LF_SYMLINK);
            link.setLinkName("/etc/passwd");
            out.putArchiveEntry(link);
            out.closeArchiveEntry();
        }
        assertEquals("Invalid artifact: entry outputs/link is not a regular file",
                failure(Zstd.compress(tar.toByteArray(), 3)));
    }
}
