package io.polycache.web;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** The one error body shape: {@code {"error": "..."}}. */
public final class Errors {
    private Errors() {}

    public static Response of(int status, String message) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("error", message))
                .build();
    }
}
