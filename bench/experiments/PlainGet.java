import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * Experiment, not product code: how fast can the Tomcat that Polycache runs on answer
 * {@code GET /v1/artifacts/{key}} from Polycache's own files when Jersey is not in the path?
 *
 * <p>A plain servlet on an embedded Tomcat with the launcher's connector settings. It does the
 * same work per request as Polycache's GET: validates the key, opens its entry file
 * ({@code entries/polykit/aa/bb/<key>}: body, metadata, footer), reads the footer and the hash,
 * answers 200 with Content-Type, Content-Length and X-Artifact-Hash. In mode {@code sendfile} bodies
 * of 48 KiB or more go out through Tomcat's sendfile support (zero-copy), as Tomcat's DefaultServlet
 * does. In mode {@code memory} a body under 48 KiB is read from its file once and then answered from
 * a map: a request costs Tomcat's path, a map lookup and the write, which is as little as any
 * application on this Tomcat can spend on it (the ceiling of small reads on this connector).
 *
 * <p>usage: java -cp tomcat-embed-core.jar:tomcat-annotations-api.jar PlainGet.java PORT STORAGE_DIR [copy|sendfile|memory]
 */
public final class PlainGet {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path storage = Path.of(args[1]).toAbsolutePath();
        String mode = args.length > 2 ? args[2] : "copy";
        if (!java.util.Set.of("copy", "sendfile", "memory").contains(mode)) {
            throw new IllegalArgumentException("mode must be copy, sendfile or memory: " + mode);
        }
        Tomcat tomcat = new Tomcat();
        tomcat.setSilent(true);
        Path baseDir = Files.createTempDirectory("plainget-");
        tomcat.setBaseDir(baseDir.toString());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (var walk = Files.walk(baseDir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp directory
            }
        }));
        // The connector Polycache's launcher sets up, so that only the application differs.
        Connector connector = new Connector("org.apache.coyote.http11.Http11Nio2Protocol");
        connector.setPort(port);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("socket.appWriteBufSize", "65536");
        connector.setProperty("socket.directBuffer", "true");
        connector.setProperty("continueResponseTiming", "onRead");
        connector.setProperty("server", "Polycache");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", null);
        Tomcat.addServlet(context, "artifacts", new ArtifactGet(storage, mode));
        context.addServletMappingDecoded("/v1/artifacts/*", "artifacts");
        tomcat.start();
        System.err.println("PlainGet on 127.0.0.1:" + port + " mode=" + mode);
        tomcat.getServer().await();
    }

    /** Polycache's shard of a key (store.ShardLayout.shardOf). */
    static String shardOf(String key) {
        int h = key.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return String.format("%x%x/%x%x", (h >>> 12) & 0xf, (h >>> 8) & 0xf, (h >>> 4) & 0xf, h & 0xf);
    }

    static final class ArtifactGet extends HttpServlet {
        private static final long SENDFILE_MIN = 48 * 1024;
        private final Path artifacts;
        private final boolean sendfile;
        private final boolean memory;
        /** Mode memory: every small entry read once, by key. */
        private final java.util.concurrent.ConcurrentHashMap<String, Held> kept = new java.util.concurrent.ConcurrentHashMap<>();

        private record Held(String hash, byte[] body) {}

        ArtifactGet(Path storage, String mode) {
            this.artifacts = storage.resolve("entries").resolve("polykit");
            this.sendfile = mode.equals("sendfile");
            this.memory = mode.equals("memory");
        }

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String key = req.getPathInfo() == null ? "" : req.getPathInfo().substring(1).toLowerCase();
            if (key.length() < 32 || key.length() > 128 || !key.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                resp.sendError(400);
                return;
            }
            Held held = memory ? kept.get(key) : null;
            if (held != null) {
                resp.setContentType("application/zstd");
                resp.setContentLength(held.body().length);
                resp.setHeader("X-Artifact-Hash", held.hash());
                resp.getOutputStream().write(held.body());
                return;
            }
            Path data = artifacts.resolve(shardOf(key)).resolve(key);
            FileChannel channel;
            try {
                channel = FileChannel.open(data, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                resp.sendError(404);
                return;
            }
            try (channel) {
                ByteBuffer tail = ByteBuffer.allocate(20 + 46);
                channel.read(tail, channel.size() - tail.capacity());
                long size = tail.getLong(46);
                byte[] sha = new byte[32];
                tail.get(4, sha);
                String hash = java.util.HexFormat.of().formatHex(sha);
                resp.setContentType("application/zstd");
                resp.setContentLengthLong(size);
                resp.setHeader("X-Artifact-Hash", hash);
                if (sendfile && size >= SENDFILE_MIN && Boolean.TRUE.equals(req.getAttribute("org.apache.tomcat.sendfile.support"))) {
                    req.setAttribute("org.apache.tomcat.sendfile.filename", data.toString());
                    req.setAttribute("org.apache.tomcat.sendfile.start", 0L);
                    req.setAttribute("org.apache.tomcat.sendfile.end", size);
                    return;
                }
                if (memory && size < SENDFILE_MIN) {
                    ByteBuffer body = ByteBuffer.allocate((int) size);
                    while (body.hasRemaining() && channel.read(body, body.position()) > 0) {
                        // read the whole body
                    }
                    if (body.hasRemaining()) {
                        resp.sendError(500); // shorter than its footer says
                        return;
                    }
                    kept.put(key, new Held(hash, body.array()));
                    resp.getOutputStream().write(body.array());
                    return;
                }
                OutputStream out = resp.getOutputStream();
                WritableByteChannel target = Channels.newChannel(out);
                ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(Math.max(size, 1), 64 * 1024));
                channel.position(0);
                while (channel.position() < size) {
                    buffer.clear().limit((int) Math.min(buffer.capacity(), size - channel.position()));
                    if (channel.read(buffer) < 0) {
                        break;
                    }
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        target.write(buffer);
                    }
                }
            }
        }
    }
}
