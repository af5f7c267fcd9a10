package io.polycache.web.buildcache;

import io.polycache.web.Errors;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/** Answers a {@link Refusal} with its status, in Polycache's error body. */
public final class RefusalMapper implements ExceptionMapper<Refusal> {
    @Override
    public Response toResponse(Refusal e) {
        return Errors.of(e.status(), e.getMessage());
    }
}
