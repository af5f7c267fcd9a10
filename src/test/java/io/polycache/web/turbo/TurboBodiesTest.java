package io.polycache.web.turbo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.store.EntryMeta;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TurboBodiesTest {
    private static InputStream json(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aQueryNamesItsHashesAndOtherFieldsAreIgnored() throws Exception {
        assertEquals(List.of("39b8b20f891f19ed", "AB"),
                TurboBodies.queryHashes(json("{\"other\":{\"x\":[1]},\"hashes\":[\"39b8b20f891f19ed\",\"AB\"]}")));
    }

    @Test
    void aMalformedQuerySaysWhatWasExpected() {
        for (String bad : new String[] {"[]", "{}", "{\"hashes\":\"ab\"}", "{\"hashes\":[1]}", "{\"hashes\":[\"xyz\"]}", "{\"hashes\":[",
                ""}) {
            TurboBodies.Malformed e = assertThrows(TurboBodies.Malformed.class, () -> TurboBodies.queryHashes(json(bad)), bad);
            assertTrue(!e.getMessage().isBlank(), bad);
        }
    }

    @Test
    void theQueryAnswerGivesSizeDurationAndTagOrNull() throws Exception {
        EntryMeta meta = new EntryMeta(5, "0".repeat(64), 0, Map.of("x-artifact-duration", "42", "x-artifact-tag", "sig"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TurboBodies.writeQueryAnswer(out, List.of("aa", "bb"), hash -> hash.equals("aa") ? Optional.of(meta) : Optional.empty());
        assertEquals("{\"aa\":{\"size\":5,\"taskDurationMs\":42,\"tag\":\"sig\"},\"bb\":null}", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void eventsAreCountedBySourceAndEvent() throws Exception {
        String events = "[{\"sessionId\":\"s\",\"source\":\"REMOTE\",\"event\":\"HIT\",\"hash\":\"ab\",\"duration\":5},"
                + "{\"source\":\"LOCAL\",\"event\":\"MISS\",\"extra\":{\"a\":[1,2]}},{\"event\":\"HIT\",\"source\":\"REMOTE\"}]";
        assertEquals(Map.of(new TurboBodies.EventKind("REMOTE", "HIT"), 2, new TurboBodies.EventKind("LOCAL", "MISS"), 1),
                TurboBodies.eventCounts(json(events)));
    }

    @Test
    void anEventOfAnUnknownKindRefusesTheBatch() {
        for (String bad : new String[] {"{}", "[{\"source\":\"REMOTE\"}]", "[{\"source\":\"CLOUD\",\"event\":\"HIT\"}]", "[1]"}) {
            assertThrows(TurboBodies.Malformed.class, () -> TurboBodies.eventCounts(json(bad)), bad);
        }
    }
}
