package io.polycache.store;

import java.io.IOException;

/**
 * Reading the request body failed (the client went away or sent a broken stream). Unchecked, so
 * that it passes through the decompressor and the tar reader untouched and is never mistaken
 * for bad content.
 */
public final class UploadReadException extends RuntimeException {
    public UploadReadException(IOException cause) {
        super("Request body could not be read: " + cause.getMessage(), cause);
    }
}
