package io.polycache.store.fs;

/**
 * The memory of {@link SmallEntryCache}: fixed blocks of {@link #BLOCK} bytes carved out of a few
 * large arrays (segments), handed out and taken back by number. An entry takes the blocks its
 * bytes need, wherever they are free, so freeing never fragments what is left.
 *
 * <p>Why not one array per entry: the cache fills with entries that live long, and a young
 * collection copies every array that survives it, again at each collection until it is old
 * (measured: young pauses of 120-290 ms while 750 MB of 4 KiB entries went in, 7-20 ms once
 * full, docs/benchmarks.md). A segment is allocated once, at up to a sixty-fourth of the
 * capacity and at least 1 MiB: G1 places an array of half a region or more directly in the old
 * generation (a "humongous" object) and never copies it. Each segment is one block short of a
 * power of two, so that with its header it fills its regions instead of spilling into one more.
 *
 * <p>Not thread-safe: {@link SmallEntryCache} allocates, frees and adds segments under its
 * admission lock (the segments themselves are allocated without it: a growth step allocates up to
 * half the capacity, and every reader that misses would wait for it), and publishes what it
 * wrote through its map. Reads of blocks take no lock; the cache checks after
 * a read that the blocks were not freed meanwhile.
 */
final class BlockPool {
    static final int BLOCK = 1024;
    private static final int BLOCK_SHIFT = 10;

    /** log2 of the numbers per segment; the last number of each is never used (see above). */
    private final int segmentShift;
    private final int blocksPerSegment;
    private final long totalBlocks;
    private final byte[][] segments;
    private int segmentsAllocated;
    /** Free block numbers, a stack. */
    private final int[] free;
    private int freeCount;

    BlockPool(long capacityBytes) {
        long segmentBytes = Long.highestOneBit(Math.max(1, capacityBytes / 64));
        segmentBytes = Math.max(1 << 20, Math.min(16 << 20, segmentBytes));
        this.segmentShift = Long.numberOfTrailingZeros(segmentBytes) - BLOCK_SHIFT;
        this.blocksPerSegment = (1 << segmentShift) - 1;
        this.totalBlocks = Math.min(Integer.MAX_VALUE / 2, capacityBytes / BLOCK);
        this.segments = new byte[(int) ((totalBlocks + blocksPerSegment - 1) / blocksPerSegment)][];
        this.free = new int[(int) totalBlocks];
    }

    static int blocksFor(long bytes) {
        return (int) ((bytes + BLOCK - 1) >>> BLOCK_SHIFT);
    }

    /** Numbers of {@code count} free blocks, in ascending order where possible; null if fewer are free. */
    int[] allocate(int count) {
        if (freeCount < count) {
            return null;
        }
        int[] blocks = new int[count];
        for (int i = 0; i < count; i++) {
            blocks[i] = free[--freeCount];
        }
        return blocks;
    }

    /**
     * The lengths of the segments to allocate next, none once the capacity is reached: as many
     * segments again as there are (1, 1, 2, 4, ...), a handful of growth steps to the capacity
     * rather than one per segment. G1 may start a marking cycle (a pause) at each humongous
     * allocation while the heap is still small, and does not start another while one is under
     * way, so segments allocated together start one.
     */
    int[] growth() {
        int count = Math.min(Math.max(1, segmentsAllocated), segments.length - segmentsAllocated);
        int[] lengths = new int[count];
        for (int i = 0; i < count; i++) {
            long first = (long) (segmentsAllocated + i) * blocksPerSegment;
            lengths[i] = (int) Math.min(blocksPerSegment, totalBlocks - first) * BLOCK;
        }
        return lengths;
    }

    /** Adds the segments {@link #growth} asked for (allocated meanwhile, without the lock). */
    void add(byte[][] grown) {
        for (byte[] segment : grown) {
            int index = segmentsAllocated++;
            segments[index] = segment;
            int count = segment.length / BLOCK;
            // Pushed last block first, so that an entry popped from a new segment gets consecutive blocks.
            for (int i = count - 1; i >= 0; i--) {
                free[freeCount++] = (index << segmentShift) | i;
            }
        }
    }

    void free(int[] blocks) {
        for (int i = blocks.length - 1; i >= 0; i--) {
            free[freeCount++] = blocks[i];
        }
    }

    /** Copies {@code length} bytes of {@code source} into the blocks, in order. */
    void write(int[] blocks, byte[] source, int length) {
        for (int i = 0, done = 0; done < length; i++, done += BLOCK) {
            int block = blocks[i];
            System.arraycopy(source, done, segments[block >>> segmentShift], offset(block), Math.min(BLOCK, length - done));
        }
    }

    /** Copies {@code length} bytes out of the blocks, in order; what they hold now (see the class comment). */
    void read(int[] blocks, byte[] target, int length) {
        for (int i = 0, done = 0; done < length; i++, done += BLOCK) {
            int block = blocks[i];
            System.arraycopy(segments[block >>> segmentShift], offset(block), target, done, Math.min(BLOCK, length - done));
        }
    }

    private int offset(int block) {
        return (block & ((1 << segmentShift) - 1)) << BLOCK_SHIFT;
    }

    /** Bytes of segments allocated so far. */
    long allocatedBytes() {
        long bytes = 0;
        for (int i = 0; i < segmentsAllocated; i++) {
            bytes += segments[i].length;
        }
        return bytes;
    }
}
