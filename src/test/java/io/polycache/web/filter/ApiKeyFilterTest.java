package io.polycache.web.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiKeyFilterTest {
    private static String basic(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void bearerCarriesTheKey() {
        assertEquals(Optional.of("k1"), ApiKeyFilter.keyOf("Bearer k1"));
        assertEquals(Optional.of("k1"), ApiKeyFilter.keyOf("bearer  k1 "));
    }

    @Test
    void basicCarriesTheKeyAsPasswordAndIgnoresTheUser() {
        assertEquals(Optional.of("k1"), ApiKeyFilter.keyOf(basic("gradle:k1")));
        assertEquals(Optional.of("k:with:colons"), ApiKeyFilter.keyOf(basic(":k:with:colons")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer", "Bearer ", "Token k1", "k1", "Basic !!!notbase64", "Basic dXNlcg==", "Basic dXNlcjo="})
    void otherFormsCarryNoKey(String header) {
        assertEquals(Optional.empty(), ApiKeyFilter.keyOf(header));
    }
}
