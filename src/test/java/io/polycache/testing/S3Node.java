package io.polycache.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Polycache node over a bucket of {@link S3ProxyProcess}, started as an operator runs one:
 * {@code java -jar polycache.war} with S3Proxy's credentials, the given storage directory and
 * {@code --name=value} parameters. The caller stops the process.
 */
public record S3Node(Process process, String url) {
    private static final Pattern LISTENING = Pattern.compile("Polycache listening on (http://[0-9.]+:[0-9]+)");

    /** Launches a node; it may still be starting (or refuse to start: read its output). */
    public static Process launch(Path storageDir, Map<String, String> parameters) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Daws.accessKeyId=" + S3ProxyProcess.IDENTITY, "-Daws.secretAccessKey=" + S3ProxyProcess.CREDENTIAL,
                "-jar", TestServer.war().toAbsolutePath().toString(),
                "--port", "0", "--public", "--storage-dir", storageDir.toString()));
        parameters.forEach((key, value) -> command.add("--" + key + "=" + value));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** Waits (at most two minutes) until a launched node listens; its output is drained from then on. */
    public static S3Node listening(Process process) throws Exception {
        CompletableFuture<String> url = new CompletableFuture<>();
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        url.complete(m.group(1));
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
            url.complete(null);
        });
        reader.setDaemon(true);
        reader.start();
        String found = url.get(120, TimeUnit.SECONDS);
        if (found == null) {
            synchronized (output) {
                throw new IllegalStateException("the node did not start:\n" + output);
            }
        }
        return new S3Node(process, found);
    }
}
