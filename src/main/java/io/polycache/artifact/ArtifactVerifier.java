package io.polycache.artifact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.RecyclingBufferPool;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.polycache.store.CacheKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Checks, in one streaming pass, that a body is what the Polykit client uploads: a zstd stream
 * of a tar holding {@code metadata.json}, {@code manifest.json} and {@code outputs/<path>} for
 * every file the manifest lists, with matching SHA-256 digests and total size, for this key.
 * Entries may come in any order; only the two JSON documents (bounded) are held in memory.
 */
public final class ArtifactVerifier {
    static final String METADATA = "metadata.json";
    static final String MANIFEST = "manifest.json";
    static final String OUTPUTS = "outputs/";
    static final List<String> METADATA_FIELDS =
            List.of("package_name", "task_name", "command", "cache_key_hash", "created_at", "version");
    static final List<String> INTEGER_FIELDS = List.of("created_at", "version");
    /** Bound on each JSON document: a manifest of a million files fits comfortably. */
    static final int MAX_JSON_BYTES = 64 * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What verification learned about the artifact. */
    public record Verified(JsonNode metadata, int fileCount, long totalSize) {}

    /**
     * Verifies the body; reads the zstd stream to its end.
     *
     * @throws InvalidArtifactException when the body is not a valid artifact for the key
     */
    public Verified verify(InputStream compressed, CacheKey key) {
        // The pool lends the stream's 128 KiB input buffer: allocating and zeroing one per upload
        // was 4% of a 4 KiB upload's CPU (bench/profile.sh small-put).
        try (ZstdInputStreamNoFinalizer zstd = new ZstdInputStreamNoFinalizer(compressed, RecyclingBufferPool.INSTANCE)) {
            Verified verified = verifyTar(new TarArchiveInputStream(zstd), key);
            // Decompress to the end, so trailing corruption in the zstd stream is caught too.
            // Usually nothing is left (the tar reader read its last block): one byte's read
            // finds that without the 8 KiB buffer of a transferTo.
            if (zstd.read() >= 0) {
                zstd.transferTo(OutputStream.nullOutputStream());
            }
            return verified;
        } catch (IOException e) {
            throw new InvalidArtifactException("Invalid artifact: " + describe(e), e);
        }
    }

    private Verified verifyTar(TarArchiveInputStream tar, CacheKey key) throws IOException {
        JsonNode metadata = null;
        JsonNode manifest = null;
        Map<String, String> outputs = new HashMap<>();
        long outputBytes = 0;
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            String name = entry.getName();
            if (name.startsWith("./")) {
                throw invalid("entry " + name + " starts with ./: archive the names themselves, "
                        + "tar -c metadata.json manifest.json outputs, not tar -c .");
            }
            if (entry.isDirectory()) {
                if (!name.startsWith(OUTPUTS)) {
                    throw invalid("unexpected directory entry " + name);
                }
                String directory = name.substring(OUTPUTS.length());
                if (directory.endsWith("/")) {
                    directory = directory.substring(0, directory.length() - 1);
                }
                if (!directory.isEmpty()) {
                    safeRelativePath(directory, name); // directories obey the same rule as files
                }
                continue;
            }
            if (!isRegularFile(entry)) {
                throw invalid("entry " + name + " is not a regular file");
            }
            if (name.equals(METADATA) || name.equals(MANIFEST)) {
                if ((name.equals(METADATA) ? metadata : manifest) != null) {
                    throw invalid("duplicate entry " + name);
                }
                JsonNode document = readJson(tar, entry.getSize(), name);
                if (name.equals(METADATA)) {
                    metadata = document;
                } else {
                    manifest = document;
                }
            } else if (name.startsWith(OUTPUTS)) {
                String path = safeRelativePath(name.substring(OUTPUTS.length()), name);
                MessageDigest sha = io.polycache.store.Sha256.newDigest();
                long size = Hashing.copy(tar, sha, entry.getSize());
                if (outputs.put(path, HexFormat.of().formatHex(sha.digest())) != null) {
                    throw invalid("duplicate entry " + name);
                }
                outputBytes += size;
            } else {
                throw invalid("unexpected entry " + name);
            }
        }
        if (metadata == null) {
            throw invalid(METADATA + " is missing");
        }
        if (manifest == null) {
            throw invalid(MANIFEST + " is missing");
        }
        checkMetadata(metadata, key);
        checkManifest(manifest, outputs, outputBytes);
        return new Verified(metadata, outputs.size(), outputBytes);
    }

    private static void checkMetadata(JsonNode metadata, CacheKey key) {
        if (!metadata.isObject()) {
            throw invalid(METADATA + " is not a JSON object");
        }
        for (String field : METADATA_FIELDS) {
            JsonNode value = metadata.get(field);
            if (value == null || value.isNull()) {
                throw invalid(METADATA + " lacks the field " + field);
            }
        }
        for (String field : INTEGER_FIELDS) { // the Polykit client reads these back as integers
            if (!metadata.get(field).isIntegralNumber() || !metadata.get(field).canConvertToLong()) {
                throw invalid(field + " in " + METADATA + " must be an integer, not " + metadata.get(field));
            }
        }
        JsonNode hash = metadata.get("cache_key_hash");
        if (!hash.isTextual() || !hash.asText().toLowerCase(Locale.ROOT).equals(key.value())) {
            throw invalid("cache_key_hash in " + METADATA + " (" + hash.asText()
                    + ") does not match the key " + key.value());
        }
    }

    private static void checkManifest(JsonNode manifest, Map<String, String> outputs, long outputBytes) {
        JsonNode files = manifest.get("files");
        JsonNode totalSize = manifest.get("total_size");
        if (files == null || !files.isObject()) {
            throw invalid(MANIFEST + " lacks the object files");
        }
        if (totalSize == null || !totalSize.canConvertToLong() || !totalSize.isIntegralNumber()) {
            throw invalid(MANIFEST + " lacks the number total_size");
        }
        int listed = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = files.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> file = it.next();
            listed++;
            String path = safeRelativePath(file.getKey(), file.getKey());
            String actual = outputs.get(path);
            if (actual == null) {
                throw invalid("file " + path + " is listed in " + MANIFEST + " but missing from outputs/");
            }
            String expected = file.getValue().asText("").toLowerCase(Locale.ROOT);
            if (!expected.equals(actual)) {
                throw invalid("SHA-256 mismatch for " + path + ": manifest says " + expected
                        + ", content is " + actual);
            }
        }
        if (listed != outputs.size()) {
            for (String path : outputs.keySet()) {
                if (!files.has(path)) {
                    throw invalid("outputs/" + path + " is not listed in " + MANIFEST);
                }
            }
        }
        if (totalSize.asLong() != outputBytes) {
            throw invalid("total_size in " + MANIFEST + " is " + totalSize.asLong()
                    + " but the files add up to " + outputBytes);
        }
    }

    /**
     * Reads a JSON entry whole. {@code size} is what its tar header declares: a small document is
     * read into an array of exactly that size (no chunk, no growing buffer and no copy: these
     * were a fifth of the bytes a 4 KiB upload allocated); a larger declaration is not trusted
     * with an allocation and the document grows as its bytes arrive.
     */
    private static JsonNode readJson(InputStream entry, long size, String name) throws IOException {
        byte[] document;
        int length;
        if (size >= 0 && size <= SMALL_JSON_BYTES) {
            document = new byte[(int) size];
            length = entry.readNBytes(document, 0, document.length);
        } else {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            int n;
            while ((n = entry.read(chunk)) >= 0) {
                if (buffer.size() + n > MAX_JSON_BYTES) {
                    throw invalid(name + " is larger than " + MAX_JSON_BYTES + " bytes");
                }
                buffer.write(chunk, 0, n);
            }
            document = buffer.toByteArray();
            length = document.length;
        }
        try {
            return JSON.readTree(document, 0, length);
        } catch (IOException e) {
            throw invalid(name + " is not valid JSON");
        }
    }

    /** JSON entries up to this size are read into an array of their declared size. */
    private static final int SMALL_JSON_BYTES = 64 * 1024;

    private static boolean isRegularFile(TarArchiveEntry entry) {
        byte flag = entry.getLinkFlag();
        return flag == TarConstants.LF_NORMAL || flag == TarConstants.LF_OLDNORM
                || flag == TarConstants.LF_CONTIG;
    }

    /** A relative path with no empty, {@code .} or {@code ..} segment and no NUL or backslash. */
    static String safeRelativePath(String path, String shownAs) {
        if (!io.polycache.store.Names.isCleanRelativePath(path)) {
            throw invalid("unsafe path " + shownAs);
        }
        return path;
    }

    private static InvalidArtifactException invalid(String reason) {
        return new InvalidArtifactException("Invalid artifact: " + reason);
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        if (e.getClass().getName().startsWith("com.github.luben.zstd")) {
            return "not a valid zstd stream (" + message + ")";
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
