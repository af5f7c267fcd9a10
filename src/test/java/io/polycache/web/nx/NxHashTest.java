package io.polycache.web.nx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NxHashTest {
    @Test
    void unsigned64BitDecimalsAreHashesInCanonicalForm() {
        assertEquals("17893152701328275945", NxHash.parse("17893152701328275945").orElseThrow().value());
        assertEquals("18446744073709551615", NxHash.parse("18446744073709551615").orElseThrow().value());
        assertEquals("7", NxHash.parse("007").orElseThrow().value());
    }

    @Test
    void anythingElseIsNotAHash() {
        for (String bad : new String[] {"", "18446744073709551616", "123456789012345678901", "-1", "+1", "1a", "1.0", " 1"}) {
            assertFalse(NxHash.parse(bad).isPresent(), bad);
        }
    }

    @Test
    void everyRefusalTellsTheNxUserWhatToDo() {
        for (int status : new int[] {401, 403, 409, 413, 507}) {
            assertTrue(NxErrors.hint(status).length() > 10, "status " + status);
        }
    }
}
