package io.polycache.web.filter;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/** What every filter needs of a request and its answer, written once. */
public final class Exchanges {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Exchanges() {}

    /** The path within the webapp: servlet path plus path info, without the context path. */
    public static String path(HttpServletRequest request) {
        String info = request.getPathInfo();
        return info == null ? request.getServletPath() : request.getServletPath() + info;
    }

    /** Answers with the project's error body, {@code {"error": "..."}}, as the mappers do. */
    public static void writeError(HttpServletResponse response, int status, String message) throws IOException {
        byte[] body = JSON.writeValueAsBytes(Map.of("error", message));
        response.setStatus(status);
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
