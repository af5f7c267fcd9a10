package io.polycache.store.fs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polycache.store.EntryKey;
import io.polycache.store.EntryMeta;
import io.polycache.store.StorageDirectory;
import io.polycache.store.Namespace;
import io.polycache.store.ShardLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Converts a storage directory of the earlier layout, where a Polykit artifact was two files
 * ({@code artifacts/aa/bb/<key>.zst} and its {@code <key>.json}), to one entry file each under
 * {@code entries/polykit/}. Runs at start-up, before the ledger is loaded; no operator step.
 *
 * <p>Each artifact is converted in place: the metadata is appended to the data file as its
 * trailer, fsynced, the file renamed to its new place, and the JSON file removed last. A crash
 * in between is picked up by the next start: a data file that already ends in a whole trailer
 * for its JSON's size is not appended to again.
 */
public final class LegacyArtifacts {
    private static final Logger LOG = Logger.getLogger(LegacyArtifacts.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private LegacyArtifacts() {}

    /**
     * @return the number of artifacts converted (the ledger snapshot is removed when any were,
     *         so that the store is scanned)
     */
    public static long convert(StorageDirectory files, Namespace polykit) throws IOException {
        ShardLayout layout = files.layout();
        Path legacy = layout.legacyArtifactsDir();
        if (!Files.isDirectory(legacy)) {
            return 0;
        }
        long converted = 0;
        long dropped = 0;
        try (DirectoryStream<Path> first = Files.newDirectoryStream(legacy)) {
            for (Path a : first) {
                if (!Files.isDirectory(a)) {
                    continue;
                }
                try (DirectoryStream<Path> second = Files.newDirectoryStream(a)) {
                    for (Path b : second) {
                        if (!Files.isDirectory(b)) {
                            continue;
                        }
                        try (DirectoryStream<Path> metadata = Files.newDirectoryStream(b, "*.json")) {
                            for (Path json : metadata) {
                                if (convertOne(files, polykit, json)) {
                                    converted++;
                                } else {
                                    dropped++;
                                }
                            }
                        }
                    }
                }
            }
        }
        StorageDirectory.deleteRecursively(legacy); // what is left: data files without metadata (never committed)
        if (converted + dropped > 0) {
            Files.deleteIfExists(layout.ledgerSnapshot());
            LOG.info("Converted " + converted + " Polykit artifact(s) from artifacts/ to one file each under entries/"
                    + polykit.name() + "/" + (dropped > 0 ? "; dropped " + dropped + " unreadable one(s)" : ""));
        }
        return converted;
    }

    private static boolean convertOne(StorageDirectory files, Namespace polykit, Path json) throws IOException {
        String name = json.getFileName().toString();
        String keyText = name.substring(0, name.length() - ".json".length());
        Path data = json.resolveSibling(keyText + ".zst");
        try {
            JsonNode meta = JSON.readTree(json.toFile());
            long size = meta.path("size").asLong(-1);
            String hash = meta.path("hash").asText("");
            long created = meta.path("created_at").asLong(0) * 1000;
            EntryKey key = new EntryKey(keyText);
            EntryMeta entry = new EntryMeta(size, hash, created, Map.of());
            ByteBuffer trailer = EntryFile.trailer(entry);
            try (FileChannel file = FileChannel.open(data, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                long length = file.size();
                if (length == size) {
                    file.write(trailer, length);
                    file.force(true);
                } else if (length != size + trailer.remaining()) {
                    throw new IOException("data is " + length + " bytes, metadata says " + size);
                } else {
                    EntryFile.read(file, length); // converted by a run that stopped: whole?
                }
            }
            files.moveIntoPlace(data, files.layout().entry(polykit, key));
            Files.delete(json);
            return true;
        } catch (NoSuchFileException e) {
            Files.deleteIfExists(json);
            return false;
        } catch (IOException | RuntimeException e) {
            LOG.warning("Dropping unreadable Polykit artifact " + json + ": " + e.getMessage());
            Files.deleteIfExists(json);
            Files.deleteIfExists(data);
            return false;
        }
    }
}
