package io.polycache.store.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The blocks {@link SmallEntryCache} keeps bodies in. */
class BlockPoolTest {
    /** 1 MiB segments of 1,023 blocks; 3,082 blocks in all: three full segments and one of 13. */
    private static final long CAPACITY = 3 * 1024 * 1024 + 10 * 1024;

    /** As {@link SmallEntryCache} grows it: one step; false if the capacity was reached. */
    private static boolean grow(BlockPool pool) {
        int[] lengths = pool.growth();
        byte[][] grown = new byte[lengths.length][];
        for (int i = 0; i < lengths.length; i++) {
            grown[i] = new byte[lengths[i]];
        }
        pool.add(grown);
        return lengths.length > 0;
    }

    private static int[] allocateGrowing(BlockPool pool, int count) {
        int[] blocks = pool.allocate(count);
        return blocks != null || !grow(pool) ? blocks : pool.allocate(count);
    }

    @Test
    void handsOutEveryBlockOfTheCapacityOnceAndNoMore() {
        BlockPool pool = new BlockPool(CAPACITY);
        Set<Integer> seen = new HashSet<>();
        assertNull(pool.allocate(1), "nothing before the first growth");
        for (long i = 0; i < CAPACITY / BlockPool.BLOCK; i++) {
            int[] one = allocateGrowing(pool, 1);
            assertNotNull(one, "block " + i);
            assertTrue(seen.add(one[0]), "handed out twice: " + one[0]);
        }
        assertNull(allocateGrowing(pool, 1), "the capacity is spent");
        assertEquals(0, pool.growth().length, "and cannot grow");
        assertEquals(CAPACITY, pool.allocatedBytes(), "and it is all that was allocated");
        pool.free(new int[] {seen.iterator().next()});
        assertNotNull(pool.allocate(1), "a freed block is handed out again");
    }

    @Test
    void growsBySegmentsAsManyAgainAsThereAre() {
        BlockPool pool = new BlockPool(CAPACITY);
        assertEquals(0, pool.allocatedBytes(), "nothing before the first entry");
        assertTrue(grow(pool));
        assertEquals(1023 * 1024, pool.allocatedBytes());
        assertTrue(grow(pool));
        assertEquals(2 * 1023 * 1024, pool.allocatedBytes(), "one more: as many as there were");
        assertTrue(grow(pool));
        assertEquals(CAPACITY, pool.allocatedBytes(), "two more, the last one short");
        assertNotNull(pool.allocate((int) (CAPACITY / BlockPool.BLOCK)), "every block of them free");
    }

    @Test
    void aBodyComesBackWholeAcrossBlocksOfSeveralSegments() {
        BlockPool pool = new BlockPool(CAPACITY);
        grow(pool);
        grow(pool);
        assertNotNull(pool.allocate(1020)); // the next allocation straddles the first two segments
        byte[] body = new byte[10 * BlockPool.BLOCK - 17];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 7 + 3);
        }
        int[] blocks = pool.allocate(BlockPool.blocksFor(body.length));
        assertEquals(10, blocks.length);
        pool.write(blocks, body, body.length);
        byte[] back = new byte[body.length];
        pool.read(blocks, back, body.length);
        assertArrayEquals(body, back);
        assertEquals(0, BlockPool.blocksFor(0));
        assertEquals(1, BlockPool.blocksFor(1));
        assertEquals(1, BlockPool.blocksFor(BlockPool.BLOCK));
        assertEquals(2, BlockPool.blocksFor(BlockPool.BLOCK + 1));
    }
}
