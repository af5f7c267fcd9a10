package io.polycache.deps;

import java.nio.file.Path;

/** Request drafts for tests outside this package (the reader of install requests, in web). */
public final class Drafts {
    private Drafts() {}

    public static RequestDraft in(Path staging) {
        return new RequestDraft(staging);
    }
}
