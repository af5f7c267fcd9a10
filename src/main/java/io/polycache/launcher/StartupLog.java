package io.polycache.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Filter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Holds back what is logged while the server starts. On success the records are logged as they
 * came; on a refusal they are dropped and the launcher prints one line with the webapp's reason
 * instead of Tomcat's stack traces and clean-up notices around it.
 */
final class StartupLog implements Filter, AutoCloseable {
    /** How the webapp's start-up listener words a refusal (see boot.PolycacheListener). */
    static final String REFUSAL = "Polycache cannot start: ";

    private final List<LogRecord> held = new ArrayList<>();
    private final Handler[] handlers = Logger.getLogger("").getHandlers();
    private final Filter[] previous = new Filter[handlers.length];
    private String reason;
    private boolean holding = true;

    StartupLog() {
        for (int i = 0; i < handlers.length; i++) {
            previous[i] = handlers[i].getFilter();
            handlers[i].setFilter(this);
        }
    }

    @Override
    public synchronized boolean isLoggable(LogRecord record) {
        if (!holding) {
            return true;
        }
        if (reason == null && record.getMessage() != null && record.getMessage().startsWith(REFUSAL)) {
            reason = record.getMessage().substring(REFUSAL.length());
        }
        if (!held.contains(record)) { // one record passes every handler's filter
            held.add(record);
        }
        return false;
    }

    /** The webapp's own reason for refusing to start, or null if it gave none. */
    synchronized String reason() {
        return reason;
    }

    /** Stops holding back; with {@code replay}, logs what was held. */
    void release(boolean replay) {
        List<LogRecord> records;
        synchronized (this) {
            holding = false;
            records = List.copyOf(held);
            held.clear();
        }
        close();
        if (replay) {
            for (LogRecord record : records) {
                for (Handler handler : handlers) {
                    if (handler.isLoggable(record)) {
                        handler.publish(record);
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < handlers.length; i++) {
            if (handlers[i].getFilter() == this) {
                handlers[i].setFilter(previous[i]);
            }
        }
    }
}
