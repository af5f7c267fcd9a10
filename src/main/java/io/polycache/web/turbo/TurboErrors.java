package io.polycache.web.turbo;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turborepo's error body, {@code {"error": {"code": "...", "message": "..."}}}: the only shape
 * turbo 2.11 parses (the flat {@code {"code", "message"}} of its own spec, plain text, or
 * {@code {"error": "..."}} make it print "missing field `error`" instead of the message).
 */
public final class TurboErrors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TurboErrors() {}

    /** Writes the error, with a hint for the turbo user where the status calls for one. */
    public static void write(HttpServletResponse response, int status, String message) throws IOException {
        String hint = switch (status) {
            case 401 -> " (set TURBO_TOKEN to a Polycache API key)";
            default -> "";
        };
        Map<String, String> error = new LinkedHashMap<>();
        error.put("code", code(status));
        error.put("message", message + hint);
        byte[] body = JSON.writeValueAsBytes(Map.of("error", error));
        response.setStatus(status);
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** The machine-readable code of a status, in the words of the Vercel API. */
    static String code(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 409 -> "conflict";
            case 413 -> "payload_too_large";
            case 507 -> "insufficient_storage";
            default -> status >= 500 ? "internal_server_error" : "error";
        };
    }
}
