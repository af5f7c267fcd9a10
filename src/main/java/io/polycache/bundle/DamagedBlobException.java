package io.polycache.bundle;

import io.polycache.store.Sha256;
import java.io.IOException;

/** A blob an index names is missing, or its stored bytes no longer match the index. */
public final class DamagedBlobException extends IOException {
    private final Sha256 blob;
    private final boolean missingFromShare;

    public DamagedBlobException(Sha256 blob, String message) {
        this(blob, message, false);
    }

    /** @param missingFromShare the blob is missing here and from the shared store as well */
    public DamagedBlobException(Sha256 blob, String message, boolean missingFromShare) {
        super(message);
        this.blob = blob;
        this.missingFromShare = missingFromShare;
    }

    public boolean missingFromShare() {
        return missingFromShare;
    }

    public Sha256 blob() {
        return blob;
    }
}
