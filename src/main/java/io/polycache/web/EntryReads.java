package io.polycache.web;

import io.polycache.metrics.ReadOutcome;
import io.polycache.store.EntryKey;
import io.polycache.store.EntryMeta;
import io.polycache.store.EntryStore;
import io.polycache.store.Namespace;
import io.polycache.store.OpenEntry;
import io.polycache.web.filter.Exchanges;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import java.util.logging.Logger;
import org.apache.catalina.connector.ClientAbortException;

/**
 * The one read path for entries of every protocol (GET and HEAD), outside JAX-RS: measured on
 * this 2-core machine (bench/results, "jersey-cost"), a plain servlet path served about twice
 * the requests per second of a Jersey resource, and Tomcat's sendfile raised large-read
 * throughput by half again.
 *
 * <p>It records the outcome for the metrics (hit, miss, error) as a request attribute. A
 * failure before the headers are sent is answered like any unexpected failure (logged once with
 * a request id, 500), or as a miss for protocols whose clients abort the user's build on a 5xx
 * read; a failure after the headers are sent cuts the connection, so a client never takes a
 * short body for a whole one.
 */
public final class EntryReads {
    private static final Logger LOG = Logger.getLogger(EntryReads.class.getName());
    /** Request attribute: the {@link ReadOutcome} of an entry read. */
    public static final String OUTCOME_ATTRIBUTE = "io.polycache.outcome";
    /** Request attribute with the bytes a read sent by sendfile (counted by the metrics filter). */
    public static final String SENT_BYTES_ATTRIBUTE = "io.polycache.sentBytes";
    /** Below this, copying through the response buffer is as cheap as a sendfile round. */
    static final long SENDFILE_MIN = 48 * 1024;

    /** How one protocol answers a read: its headers on a hit, its body on a miss. */
    public interface Answer {
        /** Sets the content type and protocol headers of a hit (status and length are set). */
        void found(HttpServletResponse response, EntryMeta meta);

        /** Writes the protocol's 404. */
        void missing(HttpServletResponse response) throws IOException;

        /** True for protocols whose clients fail the whole build on a 5xx read (Nx, Gradle). */
        default boolean faultIsMiss() {
            return false;
        }
    }

    private EntryReads() {}

    public static void serve(HttpServletRequest request, HttpServletResponse response, EntryStore store,
            Namespace namespace, EntryKey key, boolean head, Answer answer) throws IOException {
        try {
            if (head) {
                Optional<EntryMeta> meta = store.head(namespace, key);
                if (meta.isEmpty()) {
                    miss(request, response, answer);
                } else {
                    hitHeaders(request, response, meta.get(), answer);
                }
                return;
            }
            Optional<OpenEntry> found = store.open(namespace, key);
            if (found.isEmpty()) {
                miss(request, response, answer);
                return;
            }
            try (OpenEntry entry = found.get()) {
                hitHeaders(request, response, entry.meta(), answer);
                long size = entry.meta().size();
                Optional<java.nio.file.Path> file = entry.file();
                if (file.isPresent() && size >= SENDFILE_MIN
                        && Boolean.TRUE.equals(request.getAttribute("org.apache.tomcat.sendfile.support"))) {
                    // Zero-copy from the file to the socket, after this method returns.
                    request.setAttribute("org.apache.tomcat.sendfile.filename", file.get().toString());
                    request.setAttribute("org.apache.tomcat.sendfile.start", 0L);
                    request.setAttribute("org.apache.tomcat.sendfile.end", size);
                    request.setAttribute(SENT_BYTES_ATTRIBUTE, size);
                } else {
                    entry.transferTo(response.getOutputStream());
                }
            }
        } catch (ClientAbortException e) {
            throw e; // the client went away: nothing to answer, nothing to log
        } catch (IOException | RuntimeException e) {
            fault(request, response, namespace, key, answer, e);
        }
    }

    private static void hitHeaders(HttpServletRequest request, HttpServletResponse response, EntryMeta meta,
            Answer answer) {
        request.setAttribute(OUTCOME_ATTRIBUTE, ReadOutcome.HIT);
        response.setStatus(200);
        response.setContentLengthLong(meta.size());
        answer.found(response, meta);
    }

    private static void miss(HttpServletRequest request, HttpServletResponse response, Answer answer)
            throws IOException {
        request.setAttribute(OUTCOME_ATTRIBUTE, ReadOutcome.MISS);
        answer.missing(response);
    }

    private static void fault(HttpServletRequest request, HttpServletResponse response, Namespace namespace,
            EntryKey key, Answer answer, Exception e) throws IOException {
        request.setAttribute(OUTCOME_ATTRIBUTE, ReadOutcome.ERROR);
        String what = "read of " + namespace + "/" + key;
        if (response.isCommitted()) {
            // Headers (and a length) are out: the only honest end is a cut connection.
            Failures.logUnexpected(what + " failed after the headers were sent; connection cut", e);
            throw new ClientAbortException(e);
        }
        response.reset();
        if (answer.faultIsMiss()) {
            LOG.warning("Answering a miss: " + what + " failed: " + e);
            answer.missing(response);
            return;
        }
        if (ExceptionMappers.Unavailable.write(response, e)) {
            return; // the shared store is down: 503 with Retry-After, never a miss
        }
        String id = Failures.logUnexpected(what, e);
        response.setHeader(Failures.REQUEST_ID_HEADER, id);
        Protocol.of(Exchanges.path(request)).writeError(response, 500, Failures.message(id));
    }
}
