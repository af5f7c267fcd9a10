package io.polycache.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.logging.Logger;

/**
 * Reference counting of dependency blobs: each stored blob counts the committed indexes that
 * refer to it and the installs in flight that will (pins), and is deleted when both reach zero.
 * The counts live on the blob's ledger entry and change under its lock, so a pin and a deletion
 * of one blob never interleave: a pin either comes first (and keeps the blob) or sees it gone
 * (and the install writes it anew).
 */
public final class BlobReferences {
    private static final Logger LOG = Logger.getLogger(BlobReferences.class.getName());

    private final SpaceLedger ledger;

    public BlobReferences(SpaceLedger ledger) {
        this.ledger = ledger;
    }

    /**
     * Pins a stored blob for an install in flight, so it cannot go before the install's index
     * refers to it.
     *
     * @return false if the blob is not stored: the caller writes it and {@link #commit}s it
     */
    public boolean pin(String sha) {
        SpaceLedger.Entry entry = ledger.entry(EntryKind.BLOB, sha);
        if (entry == null) {
            return false;
        }
        synchronized (entry) {
            if (entry.gone) {
                return false;
            }
            entry.pins++;
        }
        ledger.touch(EntryKind.BLOB, sha);
        return true;
    }

    /**
     * Adds a blob, pinned once for the install storing it, paid for from {@code space}; if
     * another install added it meanwhile, pins that one instead (the reservation is released on
     * close).
     *
     * @return true if this call added the blob
     */
    public boolean commit(SpaceLedger.Reservation space, String sha, long size) {
        space.ensure(size);
        while (true) {
            SpaceLedger.Entry existing = ledger.entry(EntryKind.BLOB, sha);
            if (existing != null) {
                synchronized (existing) {
                    if (!existing.gone) {
                        existing.pins++;
                        existing.lastUse = ledger.tick();
                        return false;
                    }
                }
                continue; // gone means removed from the ledger; look again
            }
            SpaceLedger.Entry fresh = new SpaceLedger.Entry(EntryKind.BLOB, sha, size, ledger.tick());
            fresh.pins = 1;
            if (space.addIfAbsent(fresh)) {
                return true;
            }
        }
    }

    /** An install's index is committed: its pins become references. */
    public void pinsBecomeReferences(Collection<String> shas) {
        for (String sha : shas) {
            SpaceLedger.Entry entry = ledger.entry(EntryKind.BLOB, sha);
            if (entry != null) {
                synchronized (entry) {
                    entry.pins--;
                    entry.refs++;
                }
            }
        }
    }

    /** An install failed: drops its pins; blobs nothing else needs are deleted. */
    public void unpin(Collection<String> shas) {
        for (String sha : shas) {
            release(sha, false);
        }
    }

    /** An index went: drops its references; blobs nothing else needs are deleted. */
    public void dereference(Collection<String> shas) {
        for (String sha : shas) {
            release(sha, true);
        }
    }

    /**
     * An index adopted from another node: references the blobs this node holds. The ones it
     * does not hold are read from the shared store when needed; should one of them be stored
     * here later by another install, this index's eviction may take its reference away early,
     * which costs a read from the shared store, never a wrong byte (every copy is checked
     * against the index).
     */
    public void referenceHeld(Collection<String> shas) {
        for (String sha : shas) {
            reference(sha);
        }
    }

    /** Adds a reference found by a scan of stored indexes. */
    void reference(String sha) {
        SpaceLedger.Entry entry = ledger.entry(EntryKind.BLOB, sha);
        if (entry != null) {
            synchronized (entry) {
                entry.refs++;
            }
        }
    }

    private void release(String sha, boolean reference) {
        SpaceLedger.Entry entry = ledger.entry(EntryKind.BLOB, sha);
        if (entry == null) {
            return;
        }
        synchronized (entry) {
            if (reference) {
                entry.refs = Math.max(0, entry.refs - 1);
            } else {
                entry.pins = Math.max(0, entry.pins - 1);
            }
            if (entry.refs > 0 || entry.pins > 0 || entry.gone) {
                return;
            }
            // Delete under the entry's lock, so a concurrent pin either came first or sees it gone.
            try {
                ledger.evictor(EntryKind.BLOB).evict(sha);
            } catch (IOException e) {
                LOG.warning("Could not delete blob " + sha + ": " + e.getMessage());
                return;
            }
            ledger.removeReleased(entry);
        }
    }

    /** Deletes blobs that neither an index nor an install in flight needs (left by a crash). */
    void sweepUnreferenced() {
        List<String> orphans = new ArrayList<>();
        for (SpaceLedger.Entry entry : ledger.entries()) {
            if (entry.kind == EntryKind.BLOB) {
                synchronized (entry) {
                    if (entry.refs == 0 && entry.pins == 0) {
                        orphans.add(entry.name);
                    }
                }
            }
        }
        for (String sha : orphans) {
            SpaceLedger.Entry entry = ledger.entry(EntryKind.BLOB, sha);
            if (entry != null) {
                synchronized (entry) {
                    entry.pins++; // release() takes one away again and deletes at zero
                }
                release(sha, false);
            }
        }
    }
}
