package io.polycache.store;

/** What a put of a key that is already stored does; each namespace declares one. */
public enum WritePolicy {
    /** The first body stays; a second put fails with {@link EntryExistsException} (Polykit: 409). */
    WRITE_ONCE_REFUSE,
    /**
     * The first body stays; a second put succeeds without storing anything (Bazel CAS, where a
     * refusal stops the client from caching at all, and the bytes are the same by construction).
     */
    WRITE_ONCE_ACCEPT,
    /** The last body wins (Turborepo, ccache, Gradle, Bazel AC re-upload keys routinely). */
    REPLACE
}
