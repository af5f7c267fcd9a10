package io.polycache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scrub's pace and counters (the stores' own checks are in ScrubIT and BundleScrubTest). */
class ScrubberTest {
    @Test
    void aPassNeverReadsFasterThanTheRate() throws InterruptedException {
        // 1 MiB at 4 MiB/s: at least a quarter of a second, however fast the reads themselves.
        Scrubber.Target megabyte = pace -> {
            for (int i = 0; i < 16; i++) {
                pace.read(64 * 1024);
            }
        };
        Scrubber scrubber = new Scrubber(4L << 20, 60_000, List.of(megabyte));
        long started = System.nanoTime();
        scrubber.runPass();
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(millis >= 240, "1 MiB took " + millis + " ms at 4 MiB/s");
        assertEquals(1 << 20, scrubber.verifiedBytes());
        assertEquals(1, scrubber.passes());
    }

    @Test
    void aFailingStoreDoesNotStopThePassOverTheOthers() throws InterruptedException {
        Scrubber.Target failing = pace -> {
            throw new IOException("unreadable directory");
        };
        Scrubber.Target damaged = pace -> {
            pace.read(10);
            pace.damaged();
        };
        Scrubber scrubber = new Scrubber(1L << 20, 60_000, List.of(failing, damaged));
        scrubber.runPass();
        assertEquals(1, scrubber.damaged());
        assertEquals(10, scrubber.verifiedBytes());
    }

    @Test
    void closeStopsTheThreadMidPass() throws InterruptedException {
        Scrubber.Target endless = pace -> {
            while (true) {
                pace.read(1024); // 1 KiB/s below: each read sleeps a second
            }
        };
        Scrubber scrubber = new Scrubber(1024, 60_000, List.of(endless)).start();
        Thread.sleep(200);
        scrubber.close();
        long read = scrubber.verifiedBytes();
        Thread.sleep(1_500);
        assertEquals(read, scrubber.verifiedBytes(), "nothing read after close");
        assertEquals(0, scrubber.passes(), "an interrupted pass is not counted");
    }
}
