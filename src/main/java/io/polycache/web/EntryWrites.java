package io.polycache.web;

import io.polycache.artifact.InvalidArtifactException;
import io.polycache.store.EntryExistsException;
import io.polycache.store.EntryKey;
import io.polycache.store.EntryStore;
import io.polycache.store.EntryVerifier;
import io.polycache.store.InsufficientStorageException;
import io.polycache.store.InvalidKeyException;
import io.polycache.store.Namespace;
import io.polycache.store.UploadReadException;
import io.polycache.web.filter.Exchanges;
import io.polycache.web.filter.RequestTooLargeException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import org.apache.catalina.connector.ClientAbortException;

/**
 * The upload path for entries of protocols served by a servlet filter (outside JAX-RS): streams
 * the request body into the store and, when the store refuses it, answers with the status the
 * JAX-RS mappers ({@link ExceptionMappers}) give the same failure, in the body shape of the
 * request's {@link Protocol}.
 */
public final class EntryWrites {
    private static final Logger LOG = Logger.getLogger(EntryWrites.class.getName());

    private EntryWrites() {}

    /** How a protocol stores an upload's body: its service's put, refusals thrown. */
    @FunctionalInterface
    public interface Upload<T> {
        T store(InputStream body, long declaredLength) throws IOException;
    }

    /**
     * Stores the request's body; on a refusal or failure the answer is written and the result
     * is empty. A client that went away is not answered ({@link ClientAbortException} passes).
     */
    public static Optional<EntryStore.Stored> put(HttpServletRequest request, HttpServletResponse response,
            EntryStore store, Namespace namespace, EntryKey key, EntryVerifier verifier, Map<String, String> headers)
            throws IOException {
        return put(request, response, namespace + "/" + key,
                (body, length) -> store.put(namespace, key, body, length, verifier, headers));
    }

    /**
     * Stores the request's body with {@code upload}; on a refusal or failure the answer is
     * written and the result is empty. {@code what} names the upload in the log.
     */
    public static <T> Optional<T> put(HttpServletRequest request, HttpServletResponse response, String what,
            Upload<T> upload) throws IOException {
        try {
            return Optional.of(upload.store(request.getInputStream(), request.getContentLengthLong()));
        } catch (ClientAbortException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            refuse(request, response, what, e);
            return Optional.empty();
        }
    }

    private static void refuse(HttpServletRequest request, HttpServletResponse response, String what, Exception e)
            throws IOException {
        Protocol protocol = Protocol.of(Exchanges.path(request));
        Optional<RequestTooLargeException> tooLarge = RequestTooLargeException.findIn(e);
        if (tooLarge.isPresent()) {
            // The rest of the body is still on the wire: do not keep the connection.
            response.setHeader("Connection", "close");
            protocol.writeError(response, 413, tooLarge.get().getMessage());
        } else if (e instanceof InsufficientStorageException) {
            LOG.warning(e.getMessage());
            response.setHeader("Connection", "close");
            protocol.writeError(response, 507, e.getMessage());
        } else if (e instanceof EntryExistsException) {
            protocol.writeError(response, 409, e.getMessage());
        } else if (e instanceof InvalidArtifactException) {
            protocol.writeError(response, 422, e.getMessage());
        } else if (e instanceof UploadReadException || e instanceof InvalidKeyException) {
            LOG.fine(e.getMessage());
            protocol.writeError(response, 400, e.getMessage());
        } else if (ExceptionMappers.Unavailable.write(response, e, protocol::writeError)) {
            // 503 with Retry-After: the shared store is down, the upload may be sent again
        } else {
            String id = Failures.logUnexpected("upload of " + what, e);
            response.setHeader(Failures.REQUEST_ID_HEADER, id);
            protocol.writeError(response, 500, Failures.message(id));
        }
    }
}
