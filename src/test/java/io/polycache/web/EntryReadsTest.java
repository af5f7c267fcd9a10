package io.polycache.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.metrics.ReadOutcome;
import io.polycache.store.EntryKey;
import io.polycache.store.EntryMeta;
import io.polycache.store.EntryStore;
import io.polycache.store.EntryVerifier;
import io.polycache.store.Namespace;
import io.polycache.store.OpenEntry;
import io.polycache.store.WritePolicy;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.catalina.connector.ClientAbortException;
import org.junit.jupiter.api.Test;

/**
 * The read path's failures, where the exchange's state matters: before the headers are sent, a
 * fault is an honest error (or a miss, for protocols that need one); after, the connection is cut.
 */
class EntryReadsTest {
    private static final Namespace NS = new Namespace("gradle", WritePolicy.REPLACE);
    private static final EntryMeta META = new EntryMeta(1000, "ab".repeat(32), 0, Map.of());

    /** A response that commits once {@code commitAfter} body bytes are written, as a container's buffer does. */
    private static final class Exchange {
        final Map<String, Object> attributes = new HashMap<>();
        final Map<String, String> headers = new HashMap<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        final int commitAfter;
        int status = 200;
        boolean committed;
        String path = "/v1/artifacts/k";

        Exchange(int commitAfter) {
            this.commitAfter = commitAfter;
        }

        HttpServletRequest request() {
            return (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                        case "getAttribute" -> attributes.get((String) args[0]);
                        case "setAttribute" -> attributes.put((String) args[0], args[1]);
                        case "getServletPath" -> path; // the error shape follows the path's protocol
                        default -> null;
                    });
        }

        HttpServletResponse response() {
            ServletOutputStream out = new ServletOutputStream() {
                @Override
                public void write(int b) {
                    body.write(b);
                    committed |= body.size() > commitAfter;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {}
            };
            return (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> switch (method.getName()) {
                        case "setStatus" -> {
                            status = (Integer) args[0];
                            yield null;
                        }
                        case "getStatus" -> status;
                        case "setHeader" -> headers.put((String) args[0], (String) args[1]);
                        case "setContentType" -> headers.put("Content-Type", (String) args[0]);
                        case "setContentLength" -> headers.put("Content-Length", String.valueOf(args[0]));
                        case "getOutputStream" -> out;
                        case "isCommitted" -> committed;
                        case "reset" -> {
                            body.reset();
                            headers.clear();
                            status = 200;
                            yield null;
                        }
                        default -> null;
                    });
        }
    }

    /** A store holding one entry whose body fails after {@code goodBytes} bytes. */
    private static EntryStore failingAfter(int goodBytes) {
        return new EntryStore() {
            @Override
            public Stored put(Namespace namespace, EntryKey key, InputStream body, long declaredLength,
                    EntryVerifier verifier, Map<String, String> headers) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Optional<EntryMeta> head(Namespace namespace, EntryKey key) {
                return Optional.of(META);
            }

            @Override
            public Optional<OpenEntry> open(Namespace namespace, EntryKey key) {
                return Optional.of(new OpenEntry() {
                    @Override
                    public EntryMeta meta() {
                        return META;
                    }

                    @Override
                    public void transferTo(OutputStream out) throws IOException {
                        out.write(new byte[goodBytes]);
                        throw new IOException("Input/output error");
                    }

                    @Override
                    public Optional<Path> file() {
                        return Optional.empty();
                    }

                    @Override
                    public void close() {}
                });
            }

            @Override
            public boolean delete(Namespace namespace, EntryKey key) {
                return false;
            }
        };
    }

    private static EntryReads.Answer answer(boolean faultIsMiss) {
        return new EntryReads.Answer() {
            @Override
            public void found(HttpServletResponse response, EntryMeta meta) {
                response.setContentType("application/octet-stream");
            }

            @Override
            public void missing(HttpServletResponse response) throws IOException {
                response.setStatus(404);
                response.getOutputStream().write("miss".getBytes());
            }

            @Override
            public boolean faultIsMiss() {
                return faultIsMiss;
            }
        };
    }

    @Test
    void aFaultIsWrittenInTheErrorShapeOfTheRequestsProtocol() throws IOException {
        Exchange exchange = new Exchange(8192);
        exchange.path = "/turbo/v8/artifacts/ab";
        EntryReads.serve(exchange.request(), exchange.response(), failingAfter(10), NS, new EntryKey("k"), false,
                answer(false));
        assertEquals(500, exchange.status);
        String id = exchange.headers.get(Failures.REQUEST_ID_HEADER);
        assertEquals("{\"error\":{\"code\":\"internal_server_error\",\"message\":\"Internal server error (request "
                + id + ")\"}}", exchange.body.toString());
    }

    @Test
    void aFaultBeforeTheHeadersAreSentIsA500WithARequestId() throws IOException {
        Exchange exchange = new Exchange(8192);
        EntryReads.serve(exchange.request(), exchange.response(), failingAfter(10), NS, new EntryKey("k"), false,
                answer(false));
        assertEquals(500, exchange.status);
        String id = exchange.headers.get(Failures.REQUEST_ID_HEADER);
        assertEquals("{\"error\":\"Internal server error (request " + id + ")\"}", exchange.body.toString());
        assertEquals(ReadOutcome.ERROR, exchange.attributes.get(EntryReads.OUTCOME_ATTRIBUTE));
    }

    @Test
    void aFaultIsAMissForProtocolsWhoseClientsAbortOnA5xx() throws IOException {
        Exchange exchange = new Exchange(8192);
        EntryReads.serve(exchange.request(), exchange.response(), failingAfter(10), NS, new EntryKey("k"), false,
                answer(true));
        assertEquals(404, exchange.status);
        assertEquals("miss", exchange.body.toString());
        assertEquals(ReadOutcome.ERROR, exchange.attributes.get(EntryReads.OUTCOME_ATTRIBUTE),
                "still counted as an error, not as a miss");
    }

    @Test
    void aFaultAfterTheHeadersAreSentCutsTheConnection() {
        Exchange exchange = new Exchange(100);
        assertThrows(ClientAbortException.class, () -> EntryReads.serve(exchange.request(), exchange.response(),
                failingAfter(500), NS, new EntryKey("k"), false, answer(true)));
        assertEquals(ReadOutcome.ERROR, exchange.attributes.get(EntryReads.OUTCOME_ATTRIBUTE));
        assertTrue(exchange.body.size() < META.size(), "never a whole-looking body");
    }
}
