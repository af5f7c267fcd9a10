package io.polycache.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProtocolTest {
    @Test
    void turboAndNxAreToldApartByTheirPrefix() {
        assertEquals(Protocol.TURBO, Protocol.of("/turbo/v8/artifacts/ab"));
        assertEquals(Protocol.NX, Protocol.of("/nx/v1/cache/1"));
        assertEquals("turbo", Protocol.TURBO.metricName());
        assertEquals("nx", Protocol.NX.metricName());
    }

    @Test
    void turbosQueryAndEventsPostsAreReadsAndNothingElsePosted() {
        assertTrue(Protocol.TURBO.isRead("POST", "/turbo/v8/artifacts"));
        assertTrue(Protocol.TURBO.isRead("POST", "/turbo/v8/artifacts/events"));
        assertFalse(Protocol.TURBO.isRead("PUT", "/turbo/v8/artifacts/ab"));
        assertFalse(Protocol.NX.isRead("POST", "/turbo/v8/artifacts"), "only turbo's own paths");
        assertFalse(Protocol.POLYKIT.isRead("POST", "/v1/artifacts/ab"));
        assertTrue(Protocol.NX.isRead("HEAD", "/nx/v1/cache/1"));
    }

    @Test
    void onlyTurboAnswersPreflightsWithoutAKey() {
        assertTrue(Protocol.TURBO.answersPreflight());
        for (Protocol other : Protocol.values()) {
            assertEquals(other == Protocol.TURBO, other.answersPreflight(), other.name());
        }
    }
}
