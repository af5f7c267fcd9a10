package io.polycache.launcher;

import java.text.MessageFormat;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.regex.Pattern;

/**
 * Keeps credentials out of the standalone server's log at every level: Tomcat's connector dumps
 * raw request headers at FINER, and any other library might log a header. Every record passing
 * the root handlers has the value of an {@code Authorization} (or {@code Proxy-Authorization})
 * header replaced, whatever the scheme. The connector's raw dumps are also kept quieter than
 * FINER by {@link Launcher}, so this is the second line, not the only one.
 */
final class CredentialRedactor implements Filter {
    private static final Pattern AUTHORIZATION =
            Pattern.compile("(?i)((?:proxy-)?authorization\\s*[:=]\\s*\\[?)[^\\r\\n\\],]+");

    @Override
    public boolean isLoggable(LogRecord record) {
        String message = record.getMessage();
        if (message == null) {
            return true;
        }
        String formatted = message;
        Object[] parameters = record.getParameters();
        if (parameters != null && parameters.length > 0 && message.contains("{")) {
            try {
                formatted = MessageFormat.format(message, parameters);
            } catch (IllegalArgumentException e) {
                formatted = message;
            }
        }
        if (AUTHORIZATION.matcher(formatted).find()) {
            record.setMessage(redact(formatted));
            record.setParameters(null);
        }
        return true;
    }

    static String redact(String text) {
        return AUTHORIZATION.matcher(text).replaceAll("$1[redacted]");
    }
}
