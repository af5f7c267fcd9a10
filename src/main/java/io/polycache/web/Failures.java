package io.polycache.web;

import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place an unexpected failure is logged: once, with a short request id that the answer
 * carries too ({@code X-Request-Id} and the error body), so an operator can find the stack trace
 * from what a user pastes. Used by the JAX-RS mapper and by the servlet hot paths alike.
 */
public final class Failures {
    private static final Logger LOG = Logger.getLogger(Failures.class.getName());
    public static final String REQUEST_ID_HEADER = "X-Request-Id";

    private Failures() {}

    /** Logs the failure with a new request id and returns the id. */
    public static String logUnexpected(String what, Throwable e) {
        String id = UUID.randomUUID().toString().substring(0, 8);
        LOG.log(Level.SEVERE, "Request " + id + " failed" + (what == null ? "" : ": " + what), e);
        return id;
    }

    /** The error message a client gets for an unexpected failure. */
    public static String message(String id) {
        return "Internal server error (request " + id + ")";
    }
}
