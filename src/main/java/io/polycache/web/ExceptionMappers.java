package io.polycache.web;

import io.polycache.artifact.InvalidArtifactException;
import io.polycache.store.UploadReadException;
import io.polycache.store.EntryExistsException;
import io.polycache.store.InsufficientStorageException;
import io.polycache.store.InvalidKeyException;
import io.polycache.store.StoreUnavailableException;
import io.polycache.web.filter.RequestTooLargeException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.List;
import java.util.logging.Logger;

/** One mapper per failure class: each turns its exception into a status and an error body. */
public final class ExceptionMappers {
    private static final Logger LOG = Logger.getLogger(ExceptionMappers.class.getName());

    private ExceptionMappers() {}

    public static List<Class<?>> all() {
        return List.of(InvalidKey.class, Exists.class, InvalidArtifact.class, TooLarge.class, NoSpace.class,
                UploadRead.class, Unavailable.class, Jaxrs.class, Unexpected.class);
    }

    public static final class InvalidKey implements ExceptionMapper<InvalidKeyException> {
        @Override
        public Response toResponse(InvalidKeyException e) {
            return Errors.of(400, e.getMessage());
        }
    }

    public static final class Exists implements ExceptionMapper<EntryExistsException> {
        @Override
        public Response toResponse(EntryExistsException e) {
            return Errors.of(409, e.getMessage());
        }
    }

    public static final class InvalidArtifact implements ExceptionMapper<InvalidArtifactException> {
        @Override
        public Response toResponse(InvalidArtifactException e) {
            return Errors.of(422, e.getMessage());
        }
    }

    public static final class TooLarge implements ExceptionMapper<RequestTooLargeException> {
        @Override
        public Response toResponse(RequestTooLargeException e) {
            // The rest of the body is still on the wire: do not keep the connection.
            return Response.fromResponse(Errors.of(413, e.getMessage())).header("Connection", "close").build();
        }
    }

    public static final class NoSpace implements ExceptionMapper<InsufficientStorageException> {
        @Override
        public Response toResponse(InsufficientStorageException e) {
            LOG.warning(e.getMessage());
            return Response.fromResponse(Errors.of(507, e.getMessage())).header("Connection", "close").build();
        }
    }

    public static final class UploadRead implements ExceptionMapper<UploadReadException> {
        @Override
        public Response toResponse(UploadReadException e) {
            LOG.fine(e.getMessage());
            return Errors.of(400, e.getMessage());
        }
    }

    /**
     * The shared store is down: 503 with {@code Retry-After}, never a miss. The one mapping of
     * {@link StoreUnavailableException}, for JAX-RS and (through {@link #write}) the servlet paths.
     */
    public static final class Unavailable implements ExceptionMapper<StoreUnavailableException> {
        /** Seconds a client is asked to wait: about how long a store's restart or failover takes. */
        public static final int RETRY_AFTER_SECONDS = 5;

        @Override
        public Response toResponse(StoreUnavailableException e) {
            LOG.warning(e.getMessage());
            return Response.fromResponse(Errors.of(503, e.getMessage()))
                    .header("Retry-After", RETRY_AFTER_SECONDS).build();
        }

        /** The same answer on a servlet path; false if {@code e} was not caused by an unavailable store. */
        public static boolean write(jakarta.servlet.http.HttpServletResponse response, Throwable e)
                throws java.io.IOException {
            return write(response, e, Protocol.ErrorBody.JSON);
        }

        /** The same, with the error body in a protocol's own shape. */
        static boolean write(jakarta.servlet.http.HttpServletResponse response, Throwable e, Protocol.ErrorBody body)
                throws java.io.IOException {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof StoreUnavailableException unavailable) {
                    LOG.warning(unavailable.getMessage());
                    response.setHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
                    body.write(response, 503, unavailable.getMessage());
                    return true;
                }
            }
            return false;
        }
    }

    /** Jersey's own answers (unknown path, wrong method, unsupported type) in our body shape. */
    public static final class Jaxrs implements ExceptionMapper<WebApplicationException> {
        @Override
        public Response toResponse(WebApplicationException e) {
            Response original = e.getResponse();
            Response.Status.Family family = Response.Status.Family.familyOf(original.getStatus());
            if (family == Response.Status.Family.SERVER_ERROR) {
                return new Unexpected().toResponse(e);
            }
            var tooLarge = RequestTooLargeException.findIn(e);
            if (tooLarge.isPresent()) {
                return new TooLarge().toResponse(tooLarge.get());
            }
            Response.StatusType status = original.getStatusInfo();
            Response.ResponseBuilder answer = Response.fromResponse(Errors.of(status.getStatusCode(),
                    status.getReasonPhrase()));
            return answer.build();
        }
    }

    /** Everything else: logged once with a request id, answered 500 without a stack trace. */
    public static final class Unexpected implements ExceptionMapper<Throwable> {
        @Override
        public Response toResponse(Throwable e) {
            // Readers inside Jersey (JSON, multipart) may wrap a size-limit failure.
            var tooLarge = RequestTooLargeException.findIn(e);
            if (tooLarge.isPresent()) {
                return new TooLarge().toResponse(tooLarge.get());
            }
            var diskFull = io.polycache.store.DiskFull.find(e); // installs and bundles fill the disk too
            if (diskFull.isPresent()) {
                return new NoSpace().toResponse(diskFull.get());
            }
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof StoreUnavailableException unavailable) {
                    return new Unavailable().toResponse(unavailable);
                }
            }
            String id = Failures.logUnexpected(null, e);
            return Response.fromResponse(Errors.of(500, Failures.message(id)))
                    .header(Failures.REQUEST_ID_HEADER, id).build();
        }
    }
}
