package io.polycache.store.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The self-test's logic, on stand-ins for the store's answers. Against real stores it runs in
 * S3EntryStoreTest (S3Proxy 4.0, which refuses the second write) and SharedStoreIT (a node
 * refusing to start against S3Proxy 2.x, which ignores If-None-Match).
 */
class ConditionalWriteCheckTest {
    /** A store that honours If-None-Match or not, and records what was asked of it. */
    private static final class Store implements ConditionalWriteCheck.Probe {
        final boolean honours;
        final Map<String, byte[]> objects = new HashMap<>();
        final List<String> deleted = new ArrayList<>();

        Store(boolean honours) {
            this.honours = honours;
        }

        @Override
        public int putIfAbsent(String name, byte[] body) {
            if (honours && objects.containsKey(name)) {
                return 412;
            }
            objects.put(name, body);
            return 200;
        }

        @Override
        public void delete(String name) {
            objects.remove(name);
            deleted.add(name);
        }
    }

    @Test
    void aStoreThatRefusesTheSecondWritePassesAndTheProbeIsRemoved() throws Exception {
        Store store = new Store(true);
        ConditionalWriteCheck.run(store, "b", "p/probe");
        assertTrue(store.objects.isEmpty());
        assertEquals(List.of("p/probe"), store.deleted);
    }

    @Test
    void aStoreThatOverwritesIsRefusedNamingTheMissingFeature() {
        Store store = new Store(false);
        ConditionalWriteCheck.Failed failed = assertThrows(ConditionalWriteCheck.Failed.class,
                () -> ConditionalWriteCheck.run(store, "b", "p/probe"));
        assertTrue(failed.getMessage().contains("ignores If-None-Match: *"), failed.getMessage());
        assertTrue(failed.getMessage().contains("conditional writes"), failed.getMessage());
        assertTrue(store.objects.isEmpty(), "the probe is removed even so");
    }

    @Test
    void aStoreThatRefusesTheFirstConditionalWriteIsRefusedToo() {
        ConditionalWriteCheck.Probe refusesAll = new ConditionalWriteCheck.Probe() {
            @Override
            public int putIfAbsent(String name, byte[] body) {
                return 501;
            }

            @Override
            public void delete(String name) {}
        };
        ConditionalWriteCheck.Failed failed = assertThrows(ConditionalWriteCheck.Failed.class,
                () -> ConditionalWriteCheck.run(refusesAll, "b", "p/probe"));
        assertTrue(failed.getMessage().contains("does not support conditional writes"), failed.getMessage());
    }
}
