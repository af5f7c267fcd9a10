package io.polycache.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * S3Proxy 4.0 (the S3 server whose conditional PUT holds under concurrent writers) as a child
 * process on a free 127.0.0.1 port, storing in a directory ({@code jclouds.provider=filesystem}),
 * with SigV4 credentials and its Prometheus metrics on a second port. The jar is the one the
 * build copies to {@code target/s3proxy/s3proxy.jar} (maven-dependency-plugin, from Maven
 * Central). The process is stopped by {@link #close()}, and by a shutdown hook if a test dies.
 */
public final class S3ProxyProcess implements AutoCloseable {
    public static final String IDENTITY = "polycache-test";
    public static final String CREDENTIAL = "polycache-test-secret";
    public static final String REGION = "us-east-1";

    private final Path jar;
    private final Path data;
    private final Path log;
    private final int port;
    private final int metricsPort;
    private Process process;
    private final Thread hook;

    private S3ProxyProcess(Path jar, Path data, int port, int metricsPort) {
        this.jar = jar;
        this.data = data;
        this.log = data.resolveSibling(data.getFileName() + ".log");
        this.port = port;
        this.metricsPort = metricsPort;
        this.hook = new Thread(this::stop);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    public static Path jar() {
        return jar("s3proxy.jar");
    }

    /** S3Proxy 2.6.0, which accepts {@code If-None-Match: *} on PUT and overwrites anyway. */
    public static Path jarIgnoringIfNoneMatch() {
        return jar("s3proxy-2.6.0.jar");
    }

    private static Path jar(String name) {
        Path jar = Path.of(System.getProperty("s3proxy.dir", "target/s3proxy"), name);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: the build copies it (mvn process-test-resources)");
        }
        return jar;
    }

    /** Starts S3Proxy storing under {@code data} and creates {@code buckets}. */
    public static S3ProxyProcess start(Path data, String... buckets) throws Exception {
        return start(jar(), data, buckets);
    }

    /** Starts the given S3Proxy jar storing under {@code data} and creates {@code buckets}. */
    public static S3ProxyProcess start(Path jar, Path data, String... buckets) throws Exception {
        Files.createDirectories(data);
        S3ProxyProcess proxy = new S3ProxyProcess(jar, data, freePort(), freePort());
        proxy.startProcess();
        try (S3Client client = proxy.client()) {
            for (String bucket : buckets) {
                client.createBucket(b -> b.bucket(bucket));
            }
        }
        return proxy;
    }

    private void startProcess() throws Exception {
        Path properties = data.resolveSibling(data.getFileName() + ".properties");
        Files.writeString(properties, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + IDENTITY,
                "s3proxy.credential=" + CREDENTIAL,
                "s3proxy.metrics.enabled=true",
                "s3proxy.metrics.host=127.0.0.1",
                "s3proxy.metrics.port=" + metricsPort,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + data.toAbsolutePath(),
                "") + "\n");
        String java = ProcessHandle.current().info().command().orElse("java");
        process = new ProcessBuilder(List.of(java, "-Xmx512m", "-jar", jar.toAbsolutePath().toString(),
                "--properties", properties.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited with " + process.exitValue() + "; see " + log);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("S3Proxy did not listen on " + port + " within 60 s; see " + log);
    }

    /** Kills the server (the bucket's files stay). */
    public void stop() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Starts it again on the same port over the same files. */
    public void restart() throws Exception {
        stop();
        startProcess();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** A client as the nodes are configured (path style, checksums when required), with the test credentials. */
    public S3Client client() {
        return S3Client.builder()
                .endpointOverride(endpoint())
                .region(Region.of(REGION))
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(IDENTITY, CREDENTIAL)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    /** The node parameters for a bucket of this server. */
    public Map<String, String> nodeParameters(String bucket) {
        Map<String, String> parameters = new HashMap<>();
        parameters.put("polycache.s3.bucket", bucket);
        parameters.put("polycache.s3.endpoint", endpoint().toString());
        parameters.put("polycache.s3.region", REGION);
        parameters.put("polycache.s3.pathStyle", "true");
        return parameters;
    }

    /**
     * Sets the credentials for the nodes in this JVM the way the AWS default chain reads them
     * (system properties {@code aws.accessKeyId} and {@code aws.secretAccessKey}).
     */
    public static void useTestCredentials() {
        System.setProperty("aws.accessKeyId", IDENTITY);
        System.setProperty("aws.secretAccessKey", CREDENTIAL);
    }

    /**
     * Requests S3Proxy has handled so far, per S3 operation, from its Prometheus metrics (the
     * count of its request-duration histogram).
     */
    public Map<String, Long> requestCounts() throws IOException, InterruptedException {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Long> counts = new HashMap<>();
        Pattern line = Pattern.compile("^(\\w+)_count\\{([^}]*)\\} ([0-9.eE+]+)$", Pattern.MULTILINE);
        Pattern operation = Pattern.compile("(?:s3_operation|operation)=\"([^\"]+)\"");
        Matcher m = line.matcher(text);
        while (m.find()) {
            Matcher op = operation.matcher(m.group(2));
            if (op.find()) {
                counts.merge(op.group(1), (long) Double.parseDouble(m.group(3)), Long::sum);
            }
        }
        return counts;
    }

    public String rawMetrics() throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
