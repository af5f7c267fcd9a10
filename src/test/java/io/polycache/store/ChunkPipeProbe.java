package io.polycache.store;

/** What tests outside this package may know of the upload pipeline's internals. */
public final class ChunkPipeProbe {
    /** Declared lengths from which uploads are verified on a second thread. */
    public static final long PIPELINE_MIN = VerifiedWrite.PIPELINE_MIN;
    public static final String CHUNK_PIPE_CLASS = ChunkPipe.class.getName();

    private ChunkPipeProbe() {}
}
