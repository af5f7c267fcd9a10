package io.polycache.web;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.polycache.deps.InvalidRequestException;
import io.polycache.deps.RequestDraft;
import io.polycache.web.multipart.MultipartStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the two forms of {@code POST /v1/cache} into a {@link RequestDraft}, streaming: file
 * contents go from the connection to staging files, never whole into memory.
 */
final class CacheRequestReader {
    /** Largest plain (non-file) field of a multipart form. */
    static final int MAX_FIELD = 64 * 1024;
    private static final JsonFactory JSON = new JsonFactory();

    private CacheRequestReader() {}

    /** {@code {"manager","hash","files":{name: base64},"versions":{...},"custom_args":[...],"platform":{...}}} */
    static void readJson(InputStream body, RequestDraft draft) throws IOException {
        try (JsonParser json = JSON.createParser(body)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidRequestException("The body must be a JSON object");
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                JsonToken value = json.nextToken();
                switch (field) {
                    case "manager" -> draft.manager(string(json, value, field));
                    case "versions" -> draft.versions(stringObject(json, value, field));
                    case "custom_args" -> draft.customArgs(stringArray(json, value, field));
                    case "platform" -> draft.platform(stringObject(json, value, field));
                    case "files" -> readFiles(json, value, draft);
                    default -> json.skipChildren(); // "hash" (computed by the server) and anything newer
                }
            }
            if (json.currentToken() != JsonToken.END_OBJECT || json.nextToken() != null) {
                throw new InvalidRequestException("Malformed JSON: trailing content after the object");
            }
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("Malformed JSON: " + describe(e));
        }
    }

    private static void readFiles(JsonParser json, JsonToken value, RequestDraft draft) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            throw new InvalidRequestException("Field 'files' must be an object of file name to base64 content");
        }
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String name = json.currentName();
            try (OutputStream out = draft.newFile(name)) {
                if (json.nextToken() != JsonToken.VALUE_STRING) {
                    throw new InvalidRequestException("The content of file '" + name + "' must be a base64 string");
                }
                try {
                    json.readBinaryValue(Base64Variants.MIME_NO_LINEFEEDS, out);
                } catch (JsonProcessingException | IllegalArgumentException e) {
                    // Jackson reports a bad base64 character as IllegalArgumentException.
                    throw new InvalidRequestException("Invalid base64 content for file '" + name + "'");
                }
            }
        }
    }

    /**
     * Fields {@code manager}, {@code hash}, {@code versions} (a JSON object string), optional
     * {@code custom_args} (a JSON array string) and {@code platform} (a JSON object string), and
     * parts {@code file} or {@code file[]} whose file name is the name of the uploaded file.
     */
    static void readMultipart(InputStream body, String boundary, RequestDraft draft) throws IOException {
        MultipartStream parts = new MultipartStream(body, boundary);
        for (MultipartStream.Part part = parts.next(); part != null; part = parts.next()) {
            String name = part.name() == null ? "" : part.name();
            switch (name) {
                case "file", "file[]" -> {
                    try (OutputStream out = draft.newFile(part.filename())) {
                        part.body().transferTo(out);
                    }
                }
                case "manager" -> draft.manager(field(part, name));
                case "versions" -> draft.versions(parseEmbedded(field(part, name), name, true));
                case "custom_args" -> draft.customArgs(parseEmbedded(field(part, name), name, false));
                case "platform" -> draft.platform(parseEmbedded(field(part, name), name, true));
                default -> {
                    if (part.filename() != null) { // e.g. curl -F package.json=@package.json
                        throw new InvalidRequestException("Part '" + name + "' carries the file '" + part.filename()
                                + "': send each file as a part named file, e.g. curl -F file=@package.json");
                    }
                    // "hash" and unknown fields: skipped with the part
                }
            }
        }
    }

    private static String field(MultipartStream.Part part, String name) throws IOException {
        byte[] bytes = part.body().readNBytes(MAX_FIELD + 1);
        if (bytes.length > MAX_FIELD) {
            throw new InvalidRequestException("Field '" + name + "' is larger than " + MAX_FIELD + " bytes");
        }
        return new String(bytes, StandardCharsets.UTF_8).trim();
    }

    /** A JSON object or array of strings sent as a multipart field's text. */
    @SuppressWarnings("unchecked")
    private static <T> T parseEmbedded(String text, String field, boolean object) throws IOException {
        try (JsonParser json = JSON.createParser(text)) {
            JsonToken first = json.nextToken();
            Object value = object ? stringObject(json, first, field) : stringArray(json, first, field);
            if (json.nextToken() != null) {
                throw new InvalidRequestException("Field '" + field + "' has trailing content");
            }
            return (T) value;
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("Field '" + field + "' is not valid JSON: " + describe(e) + "; expected "
                    + (object ? "a JSON object, e.g. {\"node\":\"20.11.1\",\"npm\":\"10.2.4\"}"
                            : "a JSON array, e.g. [\"--omit=dev\"]"));
        }
    }

    /** Jackson's message without the parser-location details, which mean nothing to a client. */
    private static String describe(JsonProcessingException e) {
        String message = String.valueOf(e.getOriginalMessage());
        int location = message.indexOf(" (start marker at");
        return location < 0 ? message : message.substring(0, location);
    }

    private static String string(JsonParser json, JsonToken value, String field) throws IOException {
        if (value != JsonToken.VALUE_STRING) {
            throw new InvalidRequestException("Field '" + field + "' must be a string");
        }
        return json.getText();
    }

    private static Map<String, String> stringObject(JsonParser json, JsonToken value, String field) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            throw new InvalidRequestException("Field '" + field + "' must be an object of strings");
        }
        Map<String, String> map = new LinkedHashMap<>();
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String key = json.currentName();
            if (json.nextToken() != JsonToken.VALUE_STRING) {
                throw new InvalidRequestException("Field '" + field + "' must be an object of strings ('" + key + "' is not)");
            }
            map.put(key, json.getText());
        }
        return map;
    }

    private static List<String> stringArray(JsonParser json, JsonToken value, String field) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            throw new InvalidRequestException("Field '" + field + "' must be an array of strings");
        }
        List<String> list = new ArrayList<>();
        JsonToken token;
        while ((token = json.nextToken()) != JsonToken.END_ARRAY) {
            if (token != JsonToken.VALUE_STRING) {
                throw new InvalidRequestException("Field '" + field + "' must be an array of strings");
            }
            list.add(json.getText());
        }
        return list;
    }
}
