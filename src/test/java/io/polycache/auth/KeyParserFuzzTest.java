package io.polycache.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.polycache.testing.Fuzz;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The key file parser: every file is parsed into keys or refused with a KeyFileException, nothing else. */
class KeyParserFuzzTest {
    @Provide
    Arbitrary<List<String>> files() {
        Arbitrary<String> line = Arbitraries.oneOf(
                Fuzz.hostileText(80),
                Arbitraries.of("key", "key ro", "key rw", "sha256:", "sha256:" + "ab".repeat(32), "sha256:" + "AB".repeat(32)
                        + " ro", "# comment", "", "  \t ", "key ro rw", "key wo", "sha256:zz", "key # c"),
                Fuzz.hostileText(20).map(s -> s + " ro"),
                Fuzz.hostileText(20).map(s -> "sha256:" + s));
        return line.list().ofMaxSize(12);
    }

    @Property(seed = Fuzz.SEED)
    void aKeyFileIsParsedOrRefusedCleanly(@ForAll("files") List<String> lines) {
        List<ApiKeys.Entry> entries;
        try {
            entries = KeyParser.parseLines(lines, "keys.txt");
        } catch (KeyFileException refused) {
            assertNotNull(refused.getMessage());
            return;
        }
        for (ApiKeys.Entry entry : entries) {
            assertEquals(32, entry.digest().length);
            assertNotNull(entry.scope());
        }
    }
}
