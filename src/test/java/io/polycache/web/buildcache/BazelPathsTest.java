package io.polycache.web.buildcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.store.InvalidKeyException;
import io.polycache.store.WritePolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BazelPathsTest {
    static final String HASH = "88f1e4cf" + "0".repeat(56);

    @Test
    void acIsReplacedAndCasIsWriteOnceAccept() {
        Target ac = BuildCache.BAZEL.target("/bazel/ac/" + HASH);
        Target cas = BuildCache.BAZEL.target("/bazel/cas/" + HASH);
        assertEquals(WritePolicy.REPLACE, ac.namespace().policy());
        assertEquals(WritePolicy.WRITE_ONCE_ACCEPT, cas.namespace().policy());
        assertEquals(HASH, ac.key().value());
        assertEquals(HASH, cas.key().value());
        assertFalse(cas.alwaysPresent());
    }

    @Test
    void instanceSegmentsAreIgnored() {
        Target plain = BuildCache.BAZEL.target("/bazel/cas/" + HASH);
        Target named = BuildCache.BAZEL.target("/bazel/team-a/x86/cas/" + HASH);
        assertEquals(plain.namespace(), named.namespace());
        assertEquals(plain.key(), named.key());
    }

    @Test
    void theEmptyBlobAlwaysExists() {
        assertTrue(BuildCache.BAZEL.target("/bazel/cas/" + BazelPaths.EMPTY).alwaysPresent());
        assertFalse(BuildCache.BAZEL.target("/bazel/ac/" + BazelPaths.EMPTY).alwaysPresent());
    }

    @Test
    void aCasUploadWhoseDigestIsNotItsKeyIsRefusedWith400() {
        Target cas = BuildCache.BAZEL.target("/bazel/cas/" + HASH);
        Refusal refusal = assertThrows(Refusal.class, () -> cas.verifier().verifyDigest(BazelPaths.EMPTY));
        assertEquals(400, refusal.status());
        cas.verifier().verifyDigest(HASH);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "ac", "ac/", "ac/abc", "cas/{H}", "xyz/{h}", "../cas/{h}", "ac/{h}0", "ac/{h63}",
            "../ac/{h}", "a/b/c/d/e/f/g/h/i/ac/{h}", "ac/{h}/x"})
    void otherPathsAreRefused(String template) {
        String rest = template.replace("{H}", "A".repeat(64)).replace("{h63}", "0".repeat(63)).replace("{h}", "0".repeat(64));
        assertThrows(InvalidKeyException.class, () -> BuildCache.BAZEL.target("/bazel/" + rest));
    }

    @Test
    void eachPathKeyedCacheHasItsOwnReplacedNamespace() {
        assertEquals("ccache", BuildCache.CCACHE.target("/ccache/45/524pn").namespace().name());
        assertEquals("gradle", BuildCache.GRADLE.target("/gradle/c207f7289e9e").namespace().name());
        assertSame(WritePolicy.REPLACE, BuildCache.MAVEN.target("/maven/v1.2/g/a/c/f.jar").namespace().policy());
    }
}
