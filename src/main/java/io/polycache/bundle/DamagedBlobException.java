package io.polycache.bundle;

import io.polycache.store.Sha256;
import java.io.IOException;

/** A blob an index names is missing, or its stored bytes no longer match the index. */
public final class DamagedBlobException extends IOException {
    private final Sha256 blob;

    public DamagedBlobException(Sha256 blob, String message) {
        super(message);
        this.blob = blob;
    }

    public Sha256 blob() {
        return blob;
    }
}
