package io.polycache.testing;

import io.polycache.launcher.EmbeddedServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The built WAR on embedded Tomcat, on a random loopback port, with its own storage directory:
 * the same start-up path as {@code java -jar polycache.war}, without the process.
 */
public final class TestServer implements AutoCloseable {
    private final EmbeddedServer server;
    private final Path storage;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private TestServer(EmbeddedServer server, Path storage) {
        this.server = server;
        this.storage = storage;
    }

    /** The WAR that {@code mvn package} built; failsafe passes its path. */
    public static Path war() {
        String war = System.getProperty("polycache.war", "target/polycache.war");
        Path path = Path.of(war);
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(path + " is missing: run the integration tests with mvn verify");
        }
        return path;
    }

    public static TestServer start(Path storage, Map<String, String> parameters) throws Exception {
        Map<String, String> all = new HashMap<>(parameters);
        all.putIfAbsent("polycache.storageDir", storage.toString());
        if (!all.containsKey("polycache.apiKeysFile") && !all.containsKey("polycache.apiKeys")) {
            all.putIfAbsent("polycache.public", "true");
        }
        return new TestServer(EmbeddedServer.start(war(), "127.0.0.1", 0, all), storage);
    }

    public static TestServer start(Path storage) throws Exception {
        return start(storage, Map.of());
    }

    /**
     * A server that provisions toolchains, on a storage directory emptied of everything but the
     * toolchains and package-manager caches earlier runs downloaded (they take minutes to fetch).
     */
    public static TestServer startProvisioning(Path storage) throws Exception {
        Files.createDirectories(storage);
        try (java.util.stream.Stream<Path> entries = Files.list(storage)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (!name.equals("toolchains") && !name.equals("pm-cache")) {
                    io.polycache.store.StorageDirectory.deleteQuietly(entry);
                }
            }
        }
        return start(storage, Map.of("polycache.toolchains.provision", "true"));
    }

    /** Where a Polykit artifact's entry file is in a storage directory. */
    public static Path polykitEntry(Path storage, String key) {
        return new io.polycache.store.ShardLayout(storage).entry(io.polycache.artifact.ArtifactService.NAMESPACE,
                new io.polycache.store.EntryKey(key.toLowerCase(java.util.Locale.ROOT)));
    }

    public Path storage() {
        return storage;
    }

    public int port() {
        return server.port();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    public HttpClient client() {
        return client;
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60));
    }

    public HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(request(path).GET().build());
    }

    public HttpResponse<String> put(String path, byte[] body) throws IOException, InterruptedException {
        return send(request(path).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    /** Files left behind under {@code tmp/} (see {@link TempFiles#left}). */
    public long tmpEntries() throws IOException {
        return TempFiles.left(storage.resolve("tmp")).size();
    }

    /**
     * Stops the server, and fails when the web application left a thread of its own running:
     * under a shared Tomcat that is a class-loader leak at every redeploy, which Tomcat reports
     * as it stops the application.
     */
    @Override
    public void close() {
        Logger tomcat = Logger.getLogger("org.apache.catalina.loader.WebappClassLoaderBase");
        List<String> leaks = new CopyOnWriteArrayList<>();
        Handler watch = new Handler() {
            @Override
            public void publish(LogRecord record) {
                String message = record.getMessage();
                if (message != null && message.contains("appears to have started a thread")) {
                    leaks.add(message.lines().findFirst().orElse(message));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        tomcat.addHandler(watch);
        try {
            server.close();
        } finally {
            tomcat.removeHandler(watch);
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError("threads left running by the stopped web application: " + leaks);
        }
    }
}
