package io.polycache.store;

import java.io.IOException;
import java.io.InputStream;

/**
 * A caller's check of an upload, run by the store while the body streams into its temp area.
 * It refuses by throwing a {@link RuntimeException} of its own (the caller maps it to a status);
 * the store then stores nothing. Failures to read the body or to write the temp file never reach
 * it as content: they surface as {@link UploadReadException} and {@link java.io.UncheckedIOException}.
 */
public interface EntryVerifier {
    /** Accepts any body: the store only copies and hashes it. */
    EntryVerifier NONE = new EntryVerifier() {
        @Override
        public void verify(InputStream body) {}

        @Override
        public boolean readsBody() {
            return false;
        }
    };

    /** Reads as much of the body as it needs (the store reads the rest). */
    void verify(InputStream body) throws IOException;

    /** Called with the SHA-256 of the whole body once it is read; may refuse it. */
    default void verifyDigest(String sha256) {}

    /** False when {@link #verify} reads nothing, so the store can skip feeding it. */
    default boolean readsBody() {
        return true;
    }

    /** Refuses any body whose SHA-256 is not {@code expected} (content-addressed keys). */
    static EntryVerifier sha256Equals(String expected, java.util.function.Function<String, RuntimeException> refusal) {
        return new EntryVerifier() {
            @Override
            public void verify(InputStream body) {}

            @Override
            public boolean readsBody() {
                return false;
            }

            @Override
            public void verifyDigest(String sha256) {
                if (!sha256.equals(expected)) {
                    throw refusal.apply(sha256);
                }
            }
        };
    }
}
