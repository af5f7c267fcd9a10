package io.polycache.store.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.polycache.testing.S3ProxyProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The retries of {@link ObjectGets}, against S3Proxy behind a proxy on loopback that fails the
 * first connections in a scripted way (closes without an answer, or answers 503 SlowDown) and
 * passes the others through: every attempt is a connection of its own, so the proxy's count of
 * connections is the count of attempts.
 */
class ObjectGetsTest {
    private static final String BUCKET = "gets";
    private static final String NAME = "entries/ab/cd/object";
    private static final byte[] BODY = "the stored bytes".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path dir;

    private static S3ProxyProcess s3;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3ProxyProcess.start(dir.resolve("s3"), BUCKET);
        try (S3Client client = s3.client()) {
            client.putObject(b -> b.bucket(BUCKET).key(NAME), RequestBody.fromBytes(BODY));
        }
    }

    @AfterAll
    static void stop() {
        s3.close();
    }

    @Test
    void aConnectionClosedWithoutAnAnswerIsTriedAgain() throws Exception {
        try (FaultProxy proxy = new FaultProxy(s3.endpoint().getPort(), Fault.CLOSE, Fault.CLOSE);
                ObjectGets gets = gets(proxy)) {
            assertArrayEquals(BODY, read(gets.get(NAME)));
            assertEquals(3, proxy.connections.get(), "two failed attempts, then the one that was passed through");
        }
    }

    @Test
    void aSlowDownIsTriedAgain() throws Exception {
        try (FaultProxy proxy = new FaultProxy(s3.endpoint().getPort(), Fault.SLOW_DOWN);
                ObjectGets gets = gets(proxy)) {
            assertArrayEquals(BODY, read(gets.get(NAME)));
            assertEquals(2, proxy.connections.get());
        }
    }

    @Test
    void afterThreeFailedAttemptsTheLastFailureIsThrown() throws Exception {
        try (FaultProxy proxy = new FaultProxy(s3.endpoint().getPort(), Fault.SLOW_DOWN, Fault.SLOW_DOWN,
                Fault.SLOW_DOWN, Fault.SLOW_DOWN);
                ObjectGets gets = gets(proxy)) {
            ObjectGets.Refused refused = assertThrows(ObjectGets.Refused.class, () -> gets.get(NAME));
            assertEquals(503, refused.status);
            assertEquals("SlowDown", refused.code);
            assertEquals(ObjectGets.ATTEMPTS, proxy.connections.get());
        }
        try (FaultProxy proxy = new FaultProxy(s3.endpoint().getPort(), Fault.CLOSE, Fault.CLOSE, Fault.CLOSE,
                Fault.CLOSE);
                ObjectGets gets = gets(proxy)) {
            IOException failure = assertThrows(IOException.class, () -> gets.get(NAME));
            assertEquals(false, failure instanceof ObjectGets.Refused, failure.toString());
            assertEquals(ObjectGets.ATTEMPTS, proxy.connections.get());
        }
    }

    @Test
    void aMissingObjectIsAnsweredAtOnce() throws Exception {
        try (FaultProxy proxy = new FaultProxy(s3.endpoint().getPort());
                ObjectGets gets = gets(proxy)) {
            ObjectGets.Refused refused = assertThrows(ObjectGets.Refused.class, () -> gets.get("entries/none"));
            assertEquals(404, refused.status);
            assertEquals("NoSuchKey", refused.code);
            assertEquals(1, proxy.connections.get(), "a 404 is not tried again");
        }
    }

    /** GETs through the proxy, signed with the test credentials, as a node's store makes them. */
    private static ObjectGets gets(FaultProxy proxy) {
        try (S3Client client = S3Client.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + proxy.port()))
                .region(Region.of(S3ProxyProcess.REGION))
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3ProxyProcess.IDENTITY, S3ProxyProcess.CREDENTIAL)))
                .build()) {
            return ObjectGets.of(client, BUCKET);
        }
    }

    private static byte[] read(ObjectGets.Response response) throws IOException {
        try (InputStream body = response.body()) {
            return body.readAllBytes();
        }
    }

    private enum Fault { CLOSE, SLOW_DOWN }

    /** Loopback proxy: the n-th connection gets the n-th fault, the ones after the script are passed through. */
    private static final class FaultProxy implements AutoCloseable {
        final AtomicInteger connections = new AtomicInteger();
        private final ConcurrentLinkedQueue<Fault> script;
        private final int target;
        private final ServerSocket server;
        private final Thread acceptor;

        FaultProxy(int target, Fault... faults) throws IOException {
            this.target = target;
            this.script = new ConcurrentLinkedQueue<>(List.of(faults));
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            this.acceptor = new Thread(this::accept, "fault-proxy");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            while (!server.isClosed()) {
                Socket client;
                try {
                    client = server.accept();
                } catch (IOException e) {
                    return;
                }
                connections.incrementAndGet();
                Fault fault = script.poll();
                Thread handler = new Thread(() -> handle(client, fault), "fault-proxy-connection");
                handler.setDaemon(true);
                handler.start();
            }
        }

        private void handle(Socket client, Fault fault) {
            try (client) {
                if (fault == null) {
                    pass(client);
                    return;
                }
                readRequestHead(client.getInputStream());
                if (fault == Fault.SLOW_DOWN) {
                    byte[] body = "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
                            .getBytes(StandardCharsets.US_ASCII);
                    OutputStream out = client.getOutputStream();
                    out.write(("HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: "
                            + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                }
                // CLOSE: no answer at all
            } catch (IOException e) {
                // the client went away
            }
        }

        private void pass(Socket client) throws IOException {
            try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target)) {
                Thread back = new Thread(() -> copy(upstream, client), "fault-proxy-back");
                back.setDaemon(true);
                back.start();
                copy(client, upstream);
                try {
                    back.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private static void copy(Socket from, Socket to) {
            try {
                from.getInputStream().transferTo(to.getOutputStream());
                to.shutdownOutput();
            } catch (IOException e) {
                // one side closed
            }
        }

        private static void readRequestHead(InputStream in) throws IOException {
            int matched = 0;
            byte[] end = {'\r', '\n', '\r', '\n'};
            for (int b; matched < 4 && (b = in.read()) >= 0; ) {
                matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
