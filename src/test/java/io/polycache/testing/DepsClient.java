package io.polycache.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** A DepCacheProxy client for tests: both request forms, downloads, and real {@code unzip}. */
public final class DepsClient {
    public static final ObjectMapper JSON = new ObjectMapper();

    private final TestServer server;
    private final String authorization;

    public DepsClient(TestServer server) {
        this(server, null);
    }

    /** A client sending {@code Authorization: <authorization>} with every request. */
    public DepsClient(TestServer server, String authorization) {
        this.server = server;
        this.authorization = authorization;
    }

    private java.net.http.HttpRequest.Builder request(String path) {
        java.net.http.HttpRequest.Builder request = server.request(path);
        return authorization == null ? request : request.header("Authorization", authorization);
    }

    /** One multipart part; a null filename makes it a plain field. */
    public record Part(String name, String filename, byte[] content) {
        public static Part field(String name, String value) {
            return new Part(name, null, value.getBytes(StandardCharsets.UTF_8));
        }

        public static Part file(String fieldName, Path file) throws IOException {
            return new Part(fieldName, file.getFileName().toString(), Files.readAllBytes(file));
        }
    }

    /** The JSON form's body. */
    public static String jsonBody(String manager, Map<String, String> versions, Map<String, byte[]> files,
            List<String> customArgs) {
        ObjectNode body = JSON.createObjectNode();
        body.put("manager", manager);
        body.put("hash", "0".repeat(64)); // clients send one; the server must ignore it
        ObjectNode encoded = body.putObject("files");
        files.forEach((name, content) -> encoded.put(name, Base64.getEncoder().encodeToString(content)));
        body.set("versions", JSON.valueToTree(versions));
        if (customArgs != null) {
            body.set("custom_args", JSON.valueToTree(customArgs));
        }
        return body.toString();
    }

    public HttpResponse<String> postJson(String body) throws IOException, InterruptedException {
        return server.send(request("/v1/cache").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    public HttpResponse<String> postMultipart(List<Part> parts) throws IOException, InterruptedException {
        String boundary = "polycache-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Part part : parts) {
            String disposition = "form-data; name=\"" + part.name() + "\""
                    + (part.filename() == null ? "" : "; filename=\"" + part.filename() + "\"");
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: " + disposition + "\r\n"
                    + (part.filename() == null ? "" : "Content-Type: application/octet-stream\r\n") + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            body.writeBytes(part.content());
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return server.send(request("/v1/cache").header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
    }

    public static JsonNode parse(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    /** GETs a bundle by hash into a file. */
    public HttpResponse<Path> download(String hash, Path into) throws IOException, InterruptedException {
        return server.client().send(request("/download/" + hash + ".zip").GET().build(),
                HttpResponse.BodyHandlers.ofFile(into));
    }

    /** Unzips with the real {@code unzip}, as a CI job would. */
    public static void unzip(Path zip, Path into) throws IOException, InterruptedException {
        Files.createDirectories(into);
        String out = run(into, "unzip", "-q", zip.toString(), "-d", into.toString());
        if (!out.isEmpty()) {
            throw new IOException("unzip said: " + out);
        }
    }

    /** Runs a command and returns its output; fails on a non-zero exit. */
    public static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    /** Regular files under a directory of the storage (0 when it does not exist). */
    public static long countFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).count();
        }
    }
}
