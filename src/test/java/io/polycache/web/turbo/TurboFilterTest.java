package io.polycache.web.turbo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.store.EntryKind;
import io.polycache.store.EntryMeta;
import io.polycache.store.SpaceLedger;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TurboFilterTest {
    @Test
    void theStatusIsOverLimitOnceTheStoreHoldsItsHardLimit() {
        SpaceLedger ledger = new SpaceLedger(1000, 1100);
        assertEquals("enabled", TurboFilter.cacheStatus(ledger));
        try (SpaceLedger.Reservation space = ledger.reserve(1100)) {
            space.commit(EntryKind.ENTRY, "turbo/web/aa", 1100);
        }
        assertEquals("over_limit", TurboFilter.cacheStatus(ledger));
        assertEquals("enabled", TurboFilter.cacheStatus(SpaceLedger.unbounded()));
    }

    @Test
    void theTeamIdWinsOverTheSlugAndAnEmptyValueNamesNoTeam() {
        assertEquals("team_1", TurboTeam.nameOf("team_1", "web"));
        assertEquals("web", TurboTeam.nameOf(null, "web"));
        assertEquals("web", TurboTeam.nameOf("", "web"));
        assertNull(TurboTeam.nameOf(null, ""));
    }

    @Test
    void aTeamIsANamespaceOfItsOwnAndOnlySafeNamesAreTeams() {
        assertEquals("turbo/web", TurboTeam.parse("web").orElseThrow().namespace().name());
        for (String bad : new String[] {"..", ".hidden", "a/b", "a b", "x".repeat(65)}) {
            assertEquals(Optional.empty(), TurboTeam.parse(bad), bad);
        }
    }

    @Test
    void hashesAreHexadecimalAndLowerCased() {
        assertEquals("39b8b20f891f19ed", TurboArtifact.key("39B8B20F891F19ED").orElseThrow().value());
        for (String bad : new String[] {"", "xyz", "12-34", "a".repeat(129), "../x"}) {
            assertFalse(TurboArtifact.key(bad).isPresent(), bad);
        }
    }

    @Test
    void durationAndTagAreKeptOnlyWhenWellFormed() {
        assertEquals(Map.of("x-artifact-duration", "559", "x-artifact-tag", "3oiEoslu/cGs55KLX3PCqHYw="),
                TurboArtifact.replayedHeaders("559", "3oiEoslu/cGs55KLX3PCqHYw="));
        assertEquals(Map.of(), TurboArtifact.replayedHeaders(null, null));
        assertThrows(IllegalArgumentException.class, () -> TurboArtifact.replayedHeaders("1.5", null));
        assertThrows(IllegalArgumentException.class, () -> TurboArtifact.replayedHeaders("-1", null));
        assertThrows(IllegalArgumentException.class, () -> TurboArtifact.replayedHeaders(null, "t".repeat(601)));
        assertThrows(IllegalArgumentException.class, () -> TurboArtifact.replayedHeaders(null, "a\tb"));
    }

    @Test
    void theStoredDurationIsTheQueryAnswersTaskDuration() {
        String sha = "0".repeat(64);
        assertEquals(559, TurboArtifact.durationOf(new EntryMeta(1, sha, 0, Map.of("x-artifact-duration", "559"))));
        assertEquals(0, TurboArtifact.durationOf(new EntryMeta(1, sha, 0, Map.of())));
    }

    @Test
    void queryParametersAreReadFromTheQueryStringAlone() {
        assertEquals("web", TurboFilter.queryParameter("teamId=&slug=web", "slug"));
        assertEquals("", TurboFilter.queryParameter("teamId=&slug=web", "teamId"));
        assertEquals("a b", TurboFilter.queryParameter("slug=a+b", "slug"));
        assertNull(TurboFilter.queryParameter("slug=web", "teamId"));
        assertNull(TurboFilter.queryParameter(null, "slug"));
        assertNull(TurboFilter.queryParameter("slug=%zz", "slug"));
    }

    @Test
    void errorCodesFollowTheStatus() {
        assertEquals("forbidden", TurboErrors.code(403));
        assertEquals("not_found", TurboErrors.code(404));
        assertEquals("unauthorized", TurboErrors.code(401));
        assertTrue(TurboErrors.code(503).contains("server"));
    }

    @Test
    void onlyTheQueryAndEventsPostsAreReads() {
        assertTrue(TurboFilter.isReadOnlyPost("POST", "/turbo/v8/artifacts"));
        assertTrue(TurboFilter.isReadOnlyPost("POST", "/turbo/v8/artifacts/events"));
        assertFalse(TurboFilter.isReadOnlyPost("POST", "/turbo/v8/artifacts/abc"));
        assertFalse(TurboFilter.isReadOnlyPost("PUT", "/turbo/v8/artifacts"));
    }
}
