package io.polycache.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Builds artifacts the way the Polykit client does: a tar with GNU headers and mode 0 holding
 * metadata.json, manifest.json, then outputs/ in path order, compressed with zstd level 3.
 * Every part is mutable, so tests can break exactly one thing.
 */
public final class PolykitArtifact {
    private static final ObjectMapper JSON = new ObjectMapper();

    public final ObjectNode metadata = JSON.createObjectNode();
    public final ObjectNode manifest = JSON.createObjectNode();
    public final Map<String, byte[]> outputs = new TreeMap<>();
    /** Extra tar entries written after the outputs, name to content. */
    public final Map<String, byte[]> extraEntries = new TreeMap<>();
    public boolean includeMetadata = true;
    public boolean includeManifest = true;

    public PolykitArtifact(String key) {
        this(key, Map.of("dist/index.js", "console.log('hi');\n".getBytes(StandardCharsets.UTF_8),
                "dist/sub/readme.txt", "built\n".getBytes(StandardCharsets.UTF_8)));
    }

    public PolykitArtifact(String key, Map<String, byte[]> files) {
        metadata.put("package_name", "web");
        metadata.put("task_name", "build");
        metadata.put("command", "npm run build");
        metadata.put("cache_key_hash", key);
        metadata.put("created_at", 1763700000L);
        metadata.put("version", 1);
        outputs.putAll(files);
        ObjectNode listed = manifest.putObject("files");
        long total = 0;
        for (Map.Entry<String, byte[]> file : outputs.entrySet()) {
            listed.put(file.getKey(), sha256(file.getValue()));
            total += file.getValue().length;
        }
        manifest.put("total_size", total);
    }

    /** A random key of the given length. */
    public static String randomKey(int length) {
        StringBuilder key = new StringBuilder();
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        while (key.length() < length) {
            key.append(Integer.toHexString(random.nextInt(16)));
        }
        return key.toString();
    }

    public byte[] tar() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
                if (includeMetadata) {
                    add(tar, "metadata.json", JSON.writeValueAsBytes(metadata));
                }
                if (includeManifest) {
                    add(tar, "manifest.json", JSON.writeValueAsBytes(manifest));
                }
                for (Map.Entry<String, byte[]> file : outputs.entrySet()) {
                    add(tar, "outputs/" + file.getKey(), file.getValue());
                }
                for (Map.Entry<String, byte[]> entry : extraEntries.entrySet()) {
                    add(tar, entry.getKey(), entry.getValue());
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public byte[] bytes() {
        return Zstd.compress(tar(), 3);
    }

    private static void add(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(0);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    public static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
