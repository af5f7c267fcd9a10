package io.polycache.bundle;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polycache.store.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The index file format (JSON):
 * <pre>
 * {"format":2, "hash":"…", "manager":"npm", "versions":{"node":"…","npm":"…"},
 *  "root":"node_modules", "file_count":2, "installed_bytes":1234,
 *  "entries":{"node_modules/a/cli.js":{"sha256":"…","size":1200,"executable":true,
 *                                     "crc32":305419896,"stored_size":480,"stored_sha256":"…"},
 *             "node_modules/.bin/a":{"link":"../a/cli.js"}}}
 * </pre>
 * The totals come before the entries so that statistics read only the head of each index.
 * {@code sha256} and {@code size} name the content; {@code crc32} is the content's CRC-32 and
 * {@code stored_size}/{@code stored_sha256} describe the blob file, the content raw-deflated,
 * which the ZIP copies as it is. Format 1 (before blobs were deflated) had none of the three;
 * a store of that format is emptied of its dependency cache at start-up ({@code BlobFormat}).
 */
public final class IndexCodec {
    static final int FORMAT = 2;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();

    private IndexCodec() {}

    public static void write(BundleIndex index, OutputStream out) throws IOException {
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField("format", FORMAT);
            json.writeStringField("hash", index.hash().value());
            json.writeStringField("manager", index.manager());
            json.writeObjectFieldStart("versions");
            for (Map.Entry<String, String> v : index.versions().entrySet()) {
                json.writeStringField(v.getKey(), v.getValue());
            }
            json.writeEndObject();
            json.writeStringField("root", index.root());
            json.writeNumberField("file_count", index.entries().stream().filter(e -> !e.isLink()).count());
            json.writeNumberField("installed_bytes", index.installedBytes());
            json.writeObjectFieldStart("entries");
            for (IndexEntry entry : index.entries()) {
                json.writeObjectFieldStart(entry.path());
                if (entry.isLink()) {
                    json.writeStringField("link", entry.linkTarget());
                } else {
                    json.writeStringField("sha256", entry.blob().value());
                    json.writeNumberField("size", entry.size());
                    json.writeBooleanField("executable", entry.executable());
                    json.writeNumberField("crc32", entry.crc32());
                    json.writeNumberField("stored_size", entry.storedSize());
                    json.writeStringField("stored_sha256", entry.storedSha256().value());
                }
                json.writeEndObject();
            }
            json.writeEndObject();
            json.writeEndObject();
        }
    }

    /** @throws UnsafeEntryException or IOException if the file is not a valid index */
    public static BundleIndex read(InputStream in) throws IOException {
        JsonNode json = JSON.readTree(in);
        if (json == null || json.path("format").asInt() != FORMAT) {
            throw new IOException("not a format " + FORMAT + " bundle index");
        }
        Map<String, String> versions = new LinkedHashMap<>();
        json.path("versions").fields().forEachRemaining(v -> versions.put(v.getKey(), v.getValue().asText()));
        List<IndexEntry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = json.path("entries").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode value = e.getValue();
            if (value.has("link")) {
                entries.add(IndexEntry.link(e.getKey(), value.get("link").asText()));
            } else {
                Sha256 blob = Sha256.parseOrNull(value.path("sha256").asText());
                Sha256 stored = Sha256.parseOrNull(value.path("stored_sha256").asText());
                if (blob == null || stored == null) {
                    throw new IOException("entry " + e.getKey() + " has no valid sha256 or stored_sha256");
                }
                entries.add(IndexEntry.file(e.getKey(), blob, value.path("size").asLong(),
                        value.path("executable").asBoolean(), value.path("crc32").asLong(),
                        value.path("stored_size").asLong(), stored));
            }
        }
        return new BundleIndex(new Sha256(json.path("hash").asText()), json.path("manager").asText(),
                versions, json.path("root").asText(), entries);
    }

    /** The installed bytes an index records, reading only up to that field. */
    public static long installedBytes(InputStream in) throws IOException {
        try (JsonParser parser = FACTORY.createParser(in)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return 0;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                if (name.equals("installed_bytes")) {
                    return parser.getLongValue();
                }
                parser.skipChildren();
            }
            return 0;
        }
    }
}
