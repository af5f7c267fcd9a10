package io.polycache.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class CredentialRedactorTest {
    @Test
    void theValueOfAnAuthorizationHeaderIsRedactedWhateverItsScheme() {
        assertEquals("GET / HTTP/1.1\r\nHost: h\r\nAuthorization: [redacted]\r\nAccept: */*",
                CredentialRedactor.redact("GET / HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer s3cret\r\nAccept: */*"));
        assertEquals("authorization=[redacted]", CredentialRedactor.redact("authorization=Basic Z3U6Z3A="));
        assertEquals("Header [Proxy-Authorization: [redacted]]",
                CredentialRedactor.redact("Header [Proxy-Authorization: Basic abc]"));
    }

    @Test
    void aRecordWithParametersIsFormattedThenRedacted() {
        LogRecord record = new LogRecord(Level.FINE, "Headers: {0}");
        record.setParameters(new Object[] {"Authorization: Bearer s3cret"});
        new CredentialRedactor().isLoggable(record);
        assertFalse(record.getMessage().contains("s3cret"), record.getMessage());
    }

    @Test
    void otherRecordsAreLeftAsTheyAre() {
        LogRecord record = new LogRecord(Level.INFO, "Polycache started on {0}");
        record.setParameters(new Object[] {"127.0.0.1"});
        new CredentialRedactor().isLoggable(record);
        assertEquals("Polycache started on {0}", record.getMessage());
    }
}
