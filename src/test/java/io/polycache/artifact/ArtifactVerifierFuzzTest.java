package io.polycache.artifact;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.github.luben.zstd.Zstd;
import io.polycache.store.CacheKey;
import io.polycache.testing.Fuzz;
import io.polycache.testing.PolykitArtifact;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The artifact verifier (zstd, then tar, then JSON) on damaged and hostile uploads: a body is
 * verified or refused with an InvalidArtifactException (a 400), never another exception.
 */
class ArtifactVerifierFuzzTest {
    private static final String KEY = "0123456789abcdef".repeat(4);
    private static final PolykitArtifact VALID = new PolykitArtifact(KEY, Map.of(
            "dist/index.js", "console.log('hi');\n".getBytes(StandardCharsets.UTF_8),
            "dist/sub/data.bin", new byte[] {0, 1, 2, 3, 4, 5, 6, 7}));

    private final ArtifactVerifier verifier = new ArtifactVerifier();

    private void verifiedOrRefused(byte[] body) {
        try {
            assertNotNull(verifier.verify(new ByteArrayInputStream(body), CacheKey.parse(KEY)));
        } catch (InvalidArtifactException refused) {
            assertNotNull(refused.getMessage());
        }
    }

    @Provide
    Arbitrary<byte[]> compressed() {
        return Fuzz.mutationsOf(VALID.bytes());
    }

    @Provide
    Arbitrary<byte[]> tars() {
        return Fuzz.mutationsOf(VALID.tar());
    }

    @Provide
    Arbitrary<PolykitArtifact> hostile() {
        return Fuzz.hostileText(40).list().ofMinSize(1).ofMaxSize(4).flatMap(paths ->
                Arbitraries.of("", "outputs/", "outputs/../", "./", "/").list().ofSize(paths.size()).map(prefixes -> {
                    PolykitArtifact artifact = new PolykitArtifact(KEY, Map.of());
                    for (int i = 0; i < paths.size(); i++) {
                        artifact.extraEntries.put(prefixes.get(i) + paths.get(i), new byte[] {1});
                    }
                    return artifact;
                }));
    }

    @Property(seed = Fuzz.SEED)
    void aDamagedZstdStreamIsVerifiedOrRefused(@ForAll("compressed") byte[] body) {
        verifiedOrRefused(body);
    }

    @Property(seed = Fuzz.SEED)
    void aDamagedTarIsVerifiedOrRefused(@ForAll("tars") byte[] tar) {
        verifiedOrRefused(Zstd.compress(tar, 1));
    }

    @Property(seed = Fuzz.SEED)
    void hostileEntryNamesAreVerifiedOrRefused(@ForAll("hostile") PolykitArtifact artifact) {
        byte[] body;
        try {
            body = artifact.bytes();
        } catch (RuntimeException unwritable) {
            return; // a name the tar writer itself cannot encode: nothing to send
        }
        verifiedOrRefused(body);
    }
}
