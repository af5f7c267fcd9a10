package io.polycache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShardLayoutTest {
    private final ShardLayout layout = new ShardLayout(Path.of("/srv/cache"));

    @Test
    void entriesLiveUnderTheirNamespaceInTwoShardLevels() {
        Namespace turbo = new Namespace("turbo/web", WritePolicy.REPLACE);
        EntryKey key = new EntryKey("0123456789abcdef");
        String shard = ShardLayout.shardOf(key.value());
        assertEquals(Path.of("/srv/cache/entries/turbo/web/" + shard + "/0123456789abcdef"), layout.entry(turbo, key));
        assertTrue(shard.matches("[0-9a-f]{2}/[0-9a-f]{2}"), shard);
    }

    @Test
    void decimalKeysSpreadOverTheShardsAsEvenlyAsHexOnes() {
        // Nx keys are decimal u64s: their leading digits are far from uniform.
        Map<String, Integer> firstLevel = new HashMap<>();
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 256 * 100; i++) {
            String key = Long.toUnsignedString(random.nextLong());
            firstLevel.merge(ShardLayout.shardOf(key).substring(0, 2), 1, Integer::sum);
        }
        assertEquals(256, firstLevel.size());
        int max = firstLevel.values().stream().max(Integer::compare).orElseThrow();
        assertTrue(max < 100 * 1.5, "fullest first-level shard has " + max + " of an average 100");
    }

    @Test
    void tmpIsInsideTheStorageDirectory() {
        assertEquals(Path.of("/srv/cache/tmp"), layout.tmp());
    }
}
