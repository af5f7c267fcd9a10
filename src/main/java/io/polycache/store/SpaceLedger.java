package io.polycache.store;

import java.io.IOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Accounts for every stored entry's bytes and last use, and keeps the total under a size limit
 * by evicting the least recently used entries.
 *
 * <p>Writers reserve space before they write, so concurrent uploads cannot overshoot together;
 * a reservation that fits is a compare-and-set on one counter. Only a writer that does not fit
 * takes the eviction lock, evicts what it needs and then on towards a low-water mark below the
 * soft limit (at most {@link #ROUND_EXTRA} entries more), and, if it still does not fit under the
 * hard limit, fails with {@link InsufficientStorageException}. The order of eviction comes from
 * one pass over the entries that picks the {@link #ORDER_SIZE} least recently used, which serves
 * the rounds after it until it is used up; the pass for the next order runs ahead in the
 * background. Readers never wait: a use is one volatile write.
 *
 * <p>Blobs are not evicted on their own: {@link BlobReferences} counts the indexes that refer
 * to each and the installs in flight that will, and deletes it when both reach zero.
 */
public final class SpaceLedger {
    private static final Logger LOG = Logger.getLogger(SpaceLedger.class.getName());

    public static final long UNBOUNDED = Long.MAX_VALUE;
    /** Eviction frees down to this fraction of the soft limit, so that it runs in rounds, not per write. */
    static final double LOW_WATER = 0.95;
    /**
     * Entries a round of eviction may delete beyond those its write needs, on the way to the
     * low-water mark. Unbounded, the slack alone was hundreds of thousands of small files: the
     * writer that crossed the limit deleted them all, and every writer needing room waited
     * seconds behind it.
     */
    static final int ROUND_EXTRA = 256;
    /** Least recently used entries one pass puts in {@link #order}. */
    static final int ORDER_SIZE = 65_536;

    /** One accounted entry. */
    static final class Entry {
        final EntryKind kind;
        final String name;
        final long size;
        volatile long lastUse;
        /** Blobs: committed indexes that refer to this blob. Guarded by this. */
        int refs;
        /** Blobs: installs in flight that will refer to it. Guarded by this. */
        int pins;
        /** Removed from the ledger; a late pin must write the blob anew. Guarded by this. */
        boolean gone;

        Entry(EntryKind kind, String name, long size, long lastUse) {
            this.kind = kind;
            this.name = name;
            this.size = size;
            this.lastUse = lastUse;
        }
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong occupied = new AtomicLong();
    private final AtomicLong lastTick = new AtomicLong();
    private final long softLimit;
    private final long hardLimit;
    private final Map<EntryKind, Evictor> evictors = new EnumMap<>(EntryKind.class);
    private final ReentrantLock evictionLock = new ReentrantLock();
    /**
     * The next entries to evict, oldest first, as of the pass that chose them; consumed from
     * {@link #orderNext}. An entry used, replaced or removed since is skipped: it is younger than
     * every entry still in the order, or gone. Guarded by the eviction lock.
     */
    private Candidate[] order = new Candidate[0];
    private int orderNext;
    /**
     * The pass for the order after {@link #order}, started in the background as soon as a full
     * order is in place, so that a writer does not walk the whole ledger under the lock (hundreds
     * of milliseconds with millions of entries); null when none is under way. Guarded by the
     * eviction lock.
     */
    private CompletableFuture<Candidate[]> nextOrder;
    /** Passes a writer made itself, under the eviction lock (the rest ran ahead, in the background). */
    private final LongAdder passesInline = new LongAdder();
    private final LongAdder passesAhead = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder[] kindCounts = adders();
    private final LongAdder[] kindBytes = adders();
    private final LongAdder evictedBytes = new LongAdder();
    /** Entries and bytes per protocol (the first segment of an ENTRY's name). */
    private final ConcurrentHashMap<String, LongAdder[]> protocolTotals = new ConcurrentHashMap<>();
    /** Open while the ledger is usable; closed from {@link #startLoading} to {@link #finishLoading}. */
    private volatile CountDownLatch loaded;
    /** Uses of entries not yet loaded (key → tick), applied when the load finishes. */
    private final ConcurrentHashMap<String, Long> usedWhileLoading = new ConcurrentHashMap<>();

    /**
     * @param softLimit eviction keeps the total under this ({@link #UNBOUNDED} for no limit)
     * @param hardLimit a write that would pass this even after eviction fails
     */
    public SpaceLedger(long softLimit, long hardLimit) {
        if (hardLimit < softLimit) {
            throw new IllegalArgumentException("hard limit " + hardLimit + " is below the soft limit " + softLimit);
        }
        this.softLimit = softLimit;
        this.hardLimit = hardLimit;
    }

    public static SpaceLedger unbounded() {
        return new SpaceLedger(UNBOUNDED, UNBOUNDED);
    }

    // ---- loading in the background -----------------------------------------------------------

    /**
     * Marks the ledger as being filled from its snapshot by another thread, before anything else
     * uses it. Until {@link #finishLoading}, whatever needs the whole accounting waits: every
     * reservation (so writes, and the eviction a write may need), removals, and the blob
     * references. Reads do not wait: a use of an entry not loaded yet is kept and applied when
     * the load finishes, so no recency is lost. The loader fills the ledger with
     * {@link #restore}, which does not wait.
     */
    public void startLoading() {
        loaded = new CountDownLatch(1);
    }

    /**
     * The load is over (complete or not: a failed load is followed by a store scan): applies the
     * uses seen meanwhile and lets the waiting writers go.
     */
    public void finishLoading() {
        CountDownLatch latch = loaded;
        if (latch == null) {
            return;
        }
        loaded = null;
        applyUsesWhileLoading();
        latch.countDown();
    }

    /** True between {@link #startLoading} and {@link #finishLoading}: the figures are partial. */
    public boolean loading() {
        return loaded != null;
    }

    /** Waits until the ledger is loaded; at once if it is not loading. Not interruptible. */
    public void awaitLoaded() {
        CountDownLatch latch = loaded;
        if (latch == null) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void applyUsesWhileLoading() {
        for (var use : usedWhileLoading.entrySet()) {
            if (usedWhileLoading.remove(use.getKey(), use.getValue())) {
                Entry entry = entries.get(use.getKey());
                if (entry != null) {
                    long tick = use.getValue();
                    synchronized (entry) {
                        if (entry.lastUse < tick) {
                            entry.lastUse = tick;
                        }
                    }
                }
            }
        }
    }

    /** Registers how entries of a kind are deleted. */
    public void register(EntryKind kind, Evictor evictor) {
        evictors.put(kind, evictor);
    }

    // ---- reservations ------------------------------------------------------------------------

    /**
     * Reserves space for a write; release it by closing, or turn it into an entry by committing.
     * A write that could never fit, even in an empty store, fails before anything is evicted.
     */
    public Reservation reserve(long bytes) {
        awaitLoaded();
        if (bytes > hardLimit) {
            throw new InsufficientStorageException(bytes, occupied.get(), hardLimit);
        }
        Reservation reservation = new Reservation();
        reservation.grow(bytes);
        return reservation;
    }

    /** Space held for a write in progress. Not thread-safe: one writer owns it. */
    public final class Reservation implements AutoCloseable {
        private long held;
        /** Bytes evicted to make room for this reservation, bounded by {@link #evictionBudget}. */
        private long evicted;

        /**
         * What this reservation may still evict: its own size so far plus the room between the
         * low-water mark and the soft limit, less what it already evicted. One request never
         * empties the cache for others beyond what it takes itself.
         */
        private long evictionBudget(long bytes) {
            long slack = softLimit - (long) (softLimit * LOW_WATER);
            return held + bytes + slack - evicted;
        }

        private Reservation() {}

        /**
         * Reserves more, evicting if needed. A reservation that would pass the hard limit on its
         * own (a chunked upload that turned out too large) fails without evicting anything more.
         */
        public void grow(long bytes) {
            if (bytes > 0) {
                if (held + bytes > hardLimit || held + bytes < 0) {
                    throw new InsufficientStorageException(held + bytes, occupied.get(), hardLimit);
                }
                acquire(bytes, this);
                held += bytes;
            }
        }

        /** Grows the reservation to at least {@code total} bytes. */
        public void ensure(long total) {
            grow(total - held);
        }

        public long held() {
            return held;
        }

        /**
         * Records a committed entry of {@code size} bytes, paid for from this reservation
         * (grown first if it holds less). Replaces an entry of the same kind and name.
         */
        public void commit(EntryKind kind, String name, long size) {
            ensure(size);
            Entry entry = new Entry(kind, name, size, tick());
            held -= size;
            counted(entry, +1);
            Entry previous = entries.put(key(kind, name), entry);
            if (previous != null) {
                synchronized (previous) {
                    previous.gone = true;
                }
                counted(previous, -1);
                occupied.addAndGet(-previous.size);
            }
        }

        /**
         * Adds {@code fresh} unless an entry of its kind and name is there, paid for from this
         * reservation; the caller made sure it holds enough.
         */
        boolean addIfAbsent(Entry fresh) {
            if (entries.putIfAbsent(key(fresh.kind, fresh.name), fresh) != null) {
                return false;
            }
            held -= fresh.size;
            counted(fresh, +1);
            return true;
        }

        /** Releases what was not committed. */
        @Override
        public void close() {
            if (held > 0) {
                occupied.addAndGet(-held);
                held = 0;
            }
        }
    }

    private void acquire(long bytes, Reservation reservation) {
        if (claim(bytes, softLimit)) {
            return;
        }
        evictionLock.lock();
        try {
            if (claim(bytes, softLimit)) {
                return; // the round of the writer this one waited for made room
            }
            reservation.evicted += evictFor(bytes, reservation.evictionBudget(bytes));
            if (!claim(bytes, hardLimit)) {
                throw new InsufficientStorageException(bytes, occupied.get(), hardLimit);
            }
        } finally {
            evictionLock.unlock();
        }
    }

    /** Adds {@code bytes} to the occupied total if it stays within {@code limit}. */
    private boolean claim(long bytes, long limit) {
        while (true) {
            long current = occupied.get();
            if (current + bytes > limit || current + bytes < 0) {
                return false;
            }
            if (occupied.compareAndSet(current, current + bytes)) {
                return true;
            }
        }
    }

    /**
     * Evicts least recently used entries until {@code bytes} more fit under the low-water mark,
     * and returns the bytes evicted. Nothing is evicted when even evicting everything evictable
     * would not make room under the hard limit; when it would make room under the hard limit but
     * not under the low-water mark, eviction stops once the write fits under the hard limit; and
     * it never evicts more than {@code budget} bytes, nor more than {@link #ROUND_EXTRA} entries
     * once the write fits under the soft limit.
     */
    private long evictFor(long bytes, long budget) {
        long target = (long) (softLimit * LOW_WATER);
        if (occupied.get() + bytes <= target) {
            return 0;
        }
        // What stays however much is evicted: the other writes in flight (evicting an index
        // frees its blobs too, so every stored byte counts as freeable).
        long floor = occupied.get() - used.get() + bytes;
        if (floor > hardLimit) {
            return 0; // it cannot fit: evicting would only empty the cache before the 507
        }
        long goal = floor <= target ? target : hardLimit;
        long freed = 0;
        // Evictions since the write first fitted under the soft limit. Counted from that moment,
        // not while it still fits: writers on the fast path take the room as it is freed, and
        // this one would otherwise go on evicting for all of them.
        int extra = -1;
        while (occupied.get() + bytes > goal && freed < budget) {
            if (extra < 0 && occupied.get() + bytes <= softLimit) {
                extra = 0;
            }
            if (extra >= ROUND_EXTRA) {
                break; // the rest of the way to the low-water mark is for later rounds
            }
            Entry entry = nextToEvict();
            if (entry == null) {
                break;
            }
            if (evict(entry)) {
                freed += entry.size;
                if (extra >= 0) {
                    extra++;
                }
            }
        }
        return freed;
    }

    /** An entry as a pass over the ledger saw it. */
    private record Candidate(Entry entry, long lastUse) {}

    /**
     * The least recently used evictable entry, from {@link #order}, refilled when it is used up
     * from the pass ahead or, when none ran, a pass made here; null when nothing is left to
     * evict. Called with the eviction lock held.
     */
    private Entry nextToEvict() {
        boolean refilled = false;
        while (true) {
            if (orderNext == order.length) {
                if (refilled) {
                    return null; // everything a fresh pass chose was used or removed meanwhile
                }
                Candidate[] next = passAhead();
                if (next == null) {
                    passesInline.increment();
                    next = leastRecentlyUsed(new Candidate[0]);
                    refilled = true;
                }
                install(next);
                continue;
            }
            Candidate next = order[orderNext];
            order[orderNext++] = null;
            Entry entry = next.entry();
            if (entry.lastUse == next.lastUse() && entries.get(key(entry.kind, entry.name)) == entry) {
                return entry;
            }
        }
    }

    /**
     * Makes {@code next} the order to evict from and, when it is a full one (the ledger has more
     * entries than one order holds), starts the pass for the order after it, which leaves out the
     * entries of this one.
     */
    private void install(Candidate[] next) {
        order = next;
        orderNext = 0;
        if (next.length == ORDER_SIZE) {
            Candidate[] pending = next.clone(); // this order is emptied as it is consumed
            passesAhead.increment();
            nextOrder = CompletableFuture.supplyAsync(() -> leastRecentlyUsed(pending), SpaceLedger::passThread);
        }
    }

    /**
     * The order the pass ahead chose (waited for if it has not ended), or null when none ran or
     * it failed.
     */
    private Candidate[] passAhead() {
        CompletableFuture<Candidate[]> ahead = nextOrder;
        nextOrder = null;
        if (ahead == null) {
            return null;
        }
        try {
            return ahead.join();
        } catch (java.util.concurrent.CompletionException e) {
            LOG.log(Level.WARNING, "The pass ahead over the ledger failed; walking it again", e);
            return null;
        }
    }

    /** Runs one pass ahead on a thread of its own, which ends with it (nothing to stop on undeploy). */
    private static void passThread(Runnable pass) {
        Thread thread = new Thread(pass, "polycache-eviction-order");
        thread.setDaemon(true);
        thread.start();
    }

    /** Passes over the ledger a writer made itself, and those made ahead in the background. */
    long[] passes() {
        return new long[] {passesInline.sum(), passesAhead.sum()};
    }

    /**
     * The {@link #ORDER_SIZE} least recently used evictable entries, oldest first, leaving out
     * those still in {@code pending} (the order in use, as its pass saw them: an entry used since
     * is in again, with its new use): one walk over the ledger with a bounded heap. Entries added
     * or used after it are younger than all of them (a use takes a new, larger tick), and the
     * pending ones older, so consuming the pending order and then this one stays least recently
     * used first. (Not quite for an entry a store scan {@link #restore}s later with an older use:
     * it waits for the next pass.)
     */
    private Candidate[] leastRecentlyUsed(Candidate[] pending) {
        Map<Entry, Long> inOrder = new IdentityHashMap<>(pending.length * 2);
        for (Candidate candidate : pending) {
            inOrder.put(candidate.entry(), candidate.lastUse());
        }
        PriorityQueue<Candidate> youngestFirst = new PriorityQueue<>(ORDER_SIZE,
                Comparator.<Candidate>comparingLong(Candidate::lastUse).reversed());
        for (Entry entry : entries.values()) {
            if (!entry.kind.evictable()) {
                continue;
            }
            long lastUse = entry.lastUse;
            boolean full = youngestFirst.size() == ORDER_SIZE;
            if (full && lastUse >= youngestFirst.peek().lastUse()) {
                continue;
            }
            Long ordered = inOrder.get(entry);
            if (ordered != null && ordered == lastUse) {
                continue; // still waiting in the order in use
            }
            if (full) {
                youngestFirst.poll();
            }
            youngestFirst.add(new Candidate(entry, lastUse));
        }
        Candidate[] oldestFirst = youngestFirst.toArray(new Candidate[0]);
        Arrays.sort(oldestFirst, Comparator.comparingLong(Candidate::lastUse));
        return oldestFirst;
    }

    private boolean evict(Entry entry) {
        if (entries.get(key(entry.kind, entry.name)) != entry) {
            return false; // already gone or replaced
        }
        try {
            Evictor evictor = evictors.get(entry.kind);
            if (evictor != null) {
                evictor.evict(entry.name);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "Could not evict " + entry.kind + " " + entry.name + ": " + e.getMessage());
            return false;
        }
        if (forget(entry)) {
            evictions.increment();
            evictedBytes.add(entry.size);
            LOG.fine(() -> "Evicted " + entry.kind + " " + entry.name + " (" + entry.size + " bytes)");
            return true;
        }
        return false;
    }

    // ---- uses and removals -------------------------------------------------------------------

    /** Records a use (a read, a hit) of an entry. */
    public void touch(EntryKind kind, String name) {
        String key = key(kind, name);
        Entry entry = entries.get(key);
        if (entry != null) {
            entry.lastUse = tick();
        } else if (loaded != null) {
            usedWhileLoading.put(key, tick()); // not loaded yet, or not stored: settled by the load
            if (loaded == null) {
                applyUsesWhileLoading(); // the load finished meanwhile and may have missed it
            }
        } else if ((entry = entries.get(key)) != null) {
            entry.lastUse = tick(); // loaded between the look-up above and the check
        }
    }

    public boolean contains(EntryKind kind, String name) {
        awaitLoaded();
        return entries.containsKey(key(kind, name));
    }

    /** Forgets an entry whose files its store deleted. */
    public void removed(EntryKind kind, String name) {
        awaitLoaded(); // else the load would bring it back
        Entry entry = entries.get(key(kind, name));
        if (entry != null) {
            forget(entry);
        }
    }

    private boolean forget(Entry entry) {
        synchronized (entry) {
            if (!entries.remove(key(entry.kind, entry.name), entry)) {
                return false;
            }
            entry.gone = true;
        }
        counted(entry, -1);
        occupied.addAndGet(-entry.size);
        return true;
    }

    // ---- for BlobReferences, which keeps the blob entries' counts ---------------------------

    Entry entry(EntryKind kind, String name) {
        awaitLoaded();
        return entries.get(key(kind, name));
    }

    /** Removes a blob nothing needs any more, under the entry's lock; counted as an eviction. */
    boolean removeReleased(Entry entry) {
        if (!entries.remove(key(entry.kind, entry.name), entry)) {
            return false;
        }
        entry.gone = true;
        counted(entry, -1);
        occupied.addAndGet(-entry.size);
        evictions.increment();
        evictedBytes.add(entry.size);
        return true;
    }

    /** Throws unless these kinds of entry have a way to be deleted: before any entry is loaded. */
    void checkEvictors(EntryKind... kinds) {
        for (EntryKind kind : kinds) {
            if (!evictors.containsKey(kind)) {
                throw new IllegalStateException("no store has registered how " + kind + " entries are deleted;"
                        + " build every store before loading the ledger");
            }
        }
    }

    Evictor evictor(EntryKind kind) {
        return evictors.get(kind);
    }

    // ---- figures -----------------------------------------------------------------------------

    /** Bytes of committed entries. */
    public long used() {
        return used.get();
    }

    /** Bytes committed or reserved by writes in flight. */
    public long occupied() {
        return occupied.get();
    }

    public long softLimit() {
        return softLimit;
    }

    public long hardLimit() {
        return hardLimit;
    }

    public long evictions() {
        return evictions.sum();
    }

    public long evictedBytes() {
        return evictedBytes.sum();
    }

    /** Entries and bytes of one kind (kept as running totals: a scrape never walks the map). */
    public long[] countAndBytes(EntryKind kind) {
        return new long[] {kindCounts[kind.ordinal()].sum(), kindBytes[kind.ordinal()].sum()};
    }

    /** Entries and bytes of one protocol's namespaces. */
    public long[] countAndBytes(String protocol) {
        LongAdder[] totals = protocolTotals.get(protocol);
        return totals == null ? new long[] {0, 0} : new long[] {totals[0].sum(), totals[1].sum()};
    }

    /** Adds ({@code sign} +1) or removes (-1) an entry from the running totals. */
    private void counted(Entry entry, int sign) {
        used.addAndGet(sign * entry.size);
        kindCounts[entry.kind.ordinal()].add(sign);
        kindBytes[entry.kind.ordinal()].add(sign * entry.size);
        if (entry.kind == EntryKind.ENTRY) {
            int slash = entry.name.indexOf('/');
            String protocol = slash < 0 ? entry.name : entry.name.substring(0, slash);
            LongAdder[] totals = protocolTotals.computeIfAbsent(protocol, p -> new LongAdder[] {new LongAdder(), new LongAdder()});
            totals[0].add(sign);
            totals[1].add(sign * entry.size);
        }
    }

    // ---- persistence support -----------------------------------------------------------------

    /** Every entry (after the load, if one is under way). */
    Collection<Entry> entries() {
        awaitLoaded();
        return entries.values();
    }

    /**
     * Adds an entry found on disk or in a snapshot, without a reservation.
     *
     * @return false if the entry was already accounted
     */
    boolean restore(EntryKind kind, String name, long size, long lastUse, int refs) {
        Entry entry = new Entry(kind, name, size, lastUse);
        entry.refs = refs;
        if (entries.putIfAbsent(key(kind, name), entry) == null) {
            counted(entry, +1);
            occupied.addAndGet(size);
            lastTick.accumulateAndGet(lastUse, Math::max);
            return true;
        }
        return false;
    }

    /** A strictly increasing recency stamp, close to wall-clock microseconds. */
    long tick() {
        long now = System.currentTimeMillis() * 1000;
        return lastTick.accumulateAndGet(now, (last, wall) -> Math.max(last + 1, wall));
    }

    private static LongAdder[] adders() {
        LongAdder[] adders = new LongAdder[EntryKind.values().length];
        for (int i = 0; i < adders.length; i++) {
            adders[i] = new LongAdder();
        }
        return adders;
    }

    private static String key(EntryKind kind, String name) {
        return (char) ('0' + kind.ordinal()) + name;
    }
}
