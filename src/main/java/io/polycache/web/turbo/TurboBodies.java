package io.polycache.web.turbo;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.polycache.store.EntryMeta;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON bodies of turbo's two POSTs, read and written as streams (never a whole document in
 * memory): the artifact query ({@code turbo --dry-run}) and the events batch.
 */
final class TurboBodies {
    /** Most hashes one artifact query may ask about. */
    static final int MAX_QUERY = 10_000;

    private static final JsonFactory JSON = new JsonFactory();

    /** A request body that is not the JSON turbo sends; the message says what was expected. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /** Looks up one hash of a query. */
    @FunctionalInterface
    interface Lookup {
        Optional<EntryMeta> find(String hash) throws IOException;
    }

    /** One kind of event: where turbo found (or missed) a task's outputs, and which. */
    record EventKind(String source, String event) {}

    private TurboBodies() {}

    /** The hashes of {@code {"hashes": [...]}}, each a valid artifact hash. */
    static List<String> queryHashes(InputStream body) throws IOException, Malformed {
        List<String> hashes = new ArrayList<>();
        try (JsonParser in = JSON.createParser(body)) {
            expect(in.nextToken() == JsonToken.START_OBJECT, "a JSON object");
            boolean seen = false;
            while (in.nextToken() == JsonToken.FIELD_NAME) {
                String field = in.currentName();
                JsonToken value = in.nextToken();
                if (!field.equals("hashes")) {
                    in.skipChildren();
                    continue;
                }
                expect(value == JsonToken.START_ARRAY, "\"hashes\" as an array");
                seen = true;
                while (in.nextToken() == JsonToken.VALUE_STRING) {
                    expect(hashes.size() < MAX_QUERY, "at most " + MAX_QUERY + " hashes");
                    String hash = in.getText();
                    expect(TurboArtifact.key(hash).isPresent(), "hexadecimal hashes, not " + hash);
                    hashes.add(hash);
                }
                expect(in.currentToken() == JsonToken.END_ARRAY, "\"hashes\" to hold only strings");
            }
            expect(seen, "a \"hashes\" array");
        } catch (JsonProcessingException e) {
            throw new Malformed(e.getOriginalMessage());
        }
        return hashes;
    }

    /** {@code {hash: {size, taskDurationMs, tag} | null, ...}}, in the order asked. */
    static void writeQueryAnswer(OutputStream body, List<String> hashes, Lookup lookup) throws IOException {
        try (JsonGenerator out = JSON.createGenerator(body)) {
            out.writeStartObject();
            for (String hash : hashes) {
                out.writeFieldName(hash);
                Optional<EntryMeta> meta = lookup.find(hash);
                if (meta.isEmpty()) {
                    out.writeNull();
                    continue;
                }
                out.writeStartObject();
                out.writeNumberField("size", meta.get().size());
                out.writeNumberField("taskDurationMs", TurboArtifact.durationOf(meta.get()));
                String tag = meta.get().headers().get(TurboArtifact.TAG);
                if (tag != null) {
                    out.writeStringField("tag", tag);
                }
                out.writeEndObject();
            }
            out.writeEndObject();
        }
    }

    /** {@code [{sessionId, source, event, hash, duration}, ...]} counted by source and event. */
    static Map<EventKind, Integer> eventCounts(InputStream body) throws IOException, Malformed {
        Map<EventKind, Integer> counts = new HashMap<>();
        try (JsonParser in = JSON.createParser(body)) {
            expect(in.nextToken() == JsonToken.START_ARRAY, "a JSON array");
            while (in.nextToken() == JsonToken.START_OBJECT) {
                String source = null;
                String event = null;
                while (in.nextToken() == JsonToken.FIELD_NAME) {
                    String field = in.currentName();
                    in.nextToken();
                    if (field.equals("source")) {
                        source = in.getValueAsString();
                    } else if (field.equals("event")) {
                        event = in.getValueAsString();
                    } else {
                        in.skipChildren();
                    }
                }
                expect(("LOCAL".equals(source) || "REMOTE".equals(source)) && ("HIT".equals(event) || "MISS".equals(event)),
                        "source LOCAL or REMOTE and event HIT or MISS");
                counts.merge(new EventKind(source, event), 1, Integer::sum);
            }
            expect(in.currentToken() == JsonToken.END_ARRAY, "an array of event objects");
        } catch (JsonProcessingException e) {
            throw new Malformed(e.getOriginalMessage());
        }
        return counts;
    }

    /** A JSON object for the PUT answer: {@code {"urls": [url]}}. */
    static void writeUrls(OutputStream body, String url) throws IOException {
        try (JsonGenerator out = JSON.createGenerator(body)) {
            out.writeStartObject();
            out.writeArrayFieldStart("urls");
            out.writeString(url);
            out.writeEndArray();
            out.writeEndObject();
        }
    }

    private static void expect(boolean ok, String what) throws Malformed {
        if (!ok) {
            throw new Malformed("expected " + what);
        }
    }
}
