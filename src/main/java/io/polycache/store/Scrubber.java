package io.polycache.store;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * The background scrub: a daemon thread that reads every stored thing back at a bounded rate
 * and checks it against its SHA-256, as ZFS and Ceph scrub their disks. Each store walks its own
 * files ({@link Target}); what is found damaged is removed by that store (logged once), so the
 * next request is an honest miss and the next upload or install stores it again.
 *
 * <p>One pass over every target, then a pause, then the next pass, until {@link #close()}.
 */
public final class Scrubber implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Scrubber.class.getName());

    /** A store whose files the scrub walks. */
    @FunctionalInterface
    public interface Target {
        /** Checks every stored item once, reporting bytes read and damage found to {@code pace}. */
        void scrub(Pace pace) throws IOException, InterruptedException;
    }

    /** Keeps a pass at its rate and counts what it does. */
    public interface Pace {
        /** Called after {@code bytes} were read; sleeps as long as the rate requires. */
        void read(long bytes) throws InterruptedException;

        /** Called once for each damaged item removed. */
        void damaged();
    }

    private final long bytesPerSecond;
    private final long intervalMillis;
    private final List<Target> targets;
    private final LongAdder verifiedBytes = new LongAdder();
    private final LongAdder damaged = new LongAdder();
    private final LongAdder passes = new LongAdder();
    private final Thread thread;

    public Scrubber(long bytesPerSecond, long intervalMillis, List<Target> targets) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("bytesPerSecond must be positive");
        }
        this.bytesPerSecond = bytesPerSecond;
        this.intervalMillis = intervalMillis;
        this.targets = List.copyOf(targets);
        this.thread = new Thread(this::run, "polycache-scrub");
        this.thread.setDaemon(true);
        this.thread.setPriority(Thread.MIN_PRIORITY);
    }

    public Scrubber start() {
        thread.start();
        return this;
    }

    private void run() {
        LOG.info("Scrub started: " + bytesPerSecond + " bytes per second, " + intervalMillis / 1000
                + " s between passes");
        try {
            while (!Thread.currentThread().isInterrupted()) {
                runPass();
                Thread.sleep(intervalMillis);
            }
        } catch (InterruptedException e) {
            // stopping
        }
    }

    /** One pass over every target; a failing target is logged and the pass goes on. */
    void runPass() throws InterruptedException {
        long started = System.nanoTime();
        long damagedBefore = damaged.sum();
        long bytesBefore = verifiedBytes.sum();
        Throttle throttle = new Throttle();
        for (Target target : targets) {
            try {
                target.scrub(throttle);
            } catch (IOException | RuntimeException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException(); // stopping: an interrupted read is no fault
                }
                LOG.warning("Scrub pass could not finish a store: " + e);
            }
        }
        passes.increment();
        boolean found = damaged.sum() > damagedBefore;
        LOG.log(found ? java.util.logging.Level.INFO : java.util.logging.Level.FINE, () -> "Scrub pass done: "
                + (verifiedBytes.sum() - bytesBefore) + " bytes verified, " + (damaged.sum() - damagedBefore) + " damaged removed, in "
                + (System.nanoTime() - started) / 1_000_000 + " ms");
    }

    /** Bytes read back and checked since start. */
    public long verifiedBytes() {
        return verifiedBytes.sum();
    }

    /** Damaged items found and removed since start. */
    public long damaged() {
        return damaged.sum();
    }

    /** Passes over the whole store completed since start. */
    public long passes() {
        return passes.sum();
    }

    /** Stops the thread and waits a little for it (a pass stops at its next read). */
    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Sleeps so that bytes read never run ahead of the rate by more than what was just read;
     * time not used (e.g. spent between files) is not saved up into a burst.
     */
    private final class Throttle implements Pace {
        private long due = System.nanoTime();

        @Override
        public void read(long bytes) throws InterruptedException {
            verifiedBytes.add(bytes);
            long now = System.nanoTime();
            due = Math.max(due, now) + (long) (bytes * 1e9 / bytesPerSecond);
            long wait = due - now;
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException();
            }
        }

        @Override
        public void damaged() {
            damaged.increment();
        }
    }
}
