package io.polycache.web;

import io.polycache.bundle.UnsafeEntryException;
import io.polycache.deps.InstallFailedException;
import io.polycache.deps.InstallNotAllowedException;
import io.polycache.deps.InstallQueueFullException;
import io.polycache.deps.InstallTimeoutException;
import io.polycache.deps.InvalidRequestException;
import io.polycache.deps.ToolUnavailableException;
import io.polycache.web.multipart.MalformedMultipartException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The dependency cache's failures, one mapper per class. */
public final class DependencyMappers {
    /** What a client is told to wait before retrying when every install slot is taken. */
    static final int RETRY_AFTER_SECONDS = 30;

    private DependencyMappers() {}

    public static List<Class<?>> all() {
        return List.of(InvalidRequest.class, MalformedMultipart.class, InstallFailed.class, InstallTimeout.class,
                QueueFull.class, ToolUnavailable.class, UnsafeEntry.class, InstallNotAllowed.class);
    }

    public static final class InvalidRequest implements ExceptionMapper<InvalidRequestException> {
        @Override
        public Response toResponse(InvalidRequestException e) {
            return Errors.of(400, e.getMessage());
        }
    }

    public static final class MalformedMultipart implements ExceptionMapper<MalformedMultipartException> {
        @Override
        public Response toResponse(MalformedMultipartException e) {
            return Errors.of(400, e.getMessage());
        }
    }

    public static final class InstallNotAllowed implements ExceptionMapper<InstallNotAllowedException> {
        @Override
        public Response toResponse(InstallNotAllowedException e) {
            return Errors.of(403, e.getMessage());
        }
    }

    public static final class InstallFailed implements ExceptionMapper<InstallFailedException> {
        @Override
        public Response toResponse(InstallFailedException e) {
            return withLog(422, e.getMessage(), e.log());
        }
    }

    public static final class InstallTimeout implements ExceptionMapper<InstallTimeoutException> {
        @Override
        public Response toResponse(InstallTimeoutException e) {
            return withLog(504, e.getMessage(), e.log());
        }
    }

    public static final class QueueFull implements ExceptionMapper<InstallQueueFullException> {
        @Override
        public Response toResponse(InstallQueueFullException e) {
            return Response.fromResponse(Errors.of(503, e.getMessage()))
                    .header("Retry-After", RETRY_AFTER_SECONDS).build();
        }
    }

    public static final class ToolUnavailable implements ExceptionMapper<ToolUnavailableException> {
        @Override
        public Response toResponse(ToolUnavailableException e) {
            return Errors.of(503, e.getMessage());
        }
    }

    /** The install worked but its tree links outside itself: not something a bundle may hold. */
    public static final class UnsafeEntry implements ExceptionMapper<UnsafeEntryException> {
        @Override
        public Response toResponse(UnsafeEntryException e) {
            return Errors.of(422, "The installed tree cannot be bundled: " + e.getMessage());
        }
    }

    private static Response withLog(int status, String message, String log) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("log", log);
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}
