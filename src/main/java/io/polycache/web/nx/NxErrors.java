package io.polycache.web.nx;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Nx's error body: {@code text/plain}, which the Nx CLI prints to its user as it is (e.g.
 * "Unauthorized: <body>"), so each message ends with what to do about it.
 */
public final class NxErrors {
    private NxErrors() {}

    public static void write(HttpServletResponse response, int status, String message) throws IOException {
        byte[] body = (message + hint(status) + "\n").getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("text/plain;charset=UTF-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    static String hint(int status) {
        return switch (status) {
            case 401 -> ". Set NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN to a Polycache API key.";
            case 403 -> ". Uploads need a read-write (rw) key; reads work with this one.";
            case 409 -> ". Cache entries are never overwritten; Nx treats this as success, nothing to do.";
            case 413 -> ". Ask the Polycache operator to raise polycache.maxArtifactSize.";
            case 507 -> ". The cache is full; ask the Polycache operator to raise polycache.maxCacheSize.";
            default -> "";
        };
    }
}
