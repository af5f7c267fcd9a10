package io.polycache.web.buildcache;

import io.polycache.store.EntryKey;
import io.polycache.store.EntryVerifier;
import io.polycache.store.Namespace;

/**
 * One parsed request path of a build-tool cache: where its entry lives, and how an upload to it
 * is checked.
 *
 * @param alwaysPresent whether the entry exists even when nothing is stored (Bazel's empty blob)
 */
record Target(BuildCache cache, Namespace namespace, EntryKey key, EntryVerifier verifier,
        boolean alwaysPresent) {

    static Target opaque(BuildCache cache, Namespace namespace, EntryKey key) {
        return new Target(cache, namespace, key, EntryVerifier.NONE, false);
    }
}
