// What a writer waits for when the ledger walks its entries for the next eviction order: a
// ledger of N one-byte entries at its bound, one write at a time, each write evicting; every
// eviction spins for EVICT_NANOS (a file deletion on a local disk is 10-30 us). Per 65,536
// evictions (one order) it prints the slowest write and the time of all writes. The slowest
// write of an order also catches GC pauses: run with -Xlog:gc to tell them apart.
//   mvn -q -o compile
//   java -Xmx6g -cp target/classes bench/experiments/EvictionPassBench.java N [ORDERS] [EVICT_NANOS]
import io.polycache.store.EntryKind;
import io.polycache.store.SpaceLedger;

public class EvictionPassBench {
    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        int orders = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        long spin = args.length > 2 ? Long.parseLong(args[2]) : 20_000;
        SpaceLedger ledger = new SpaceLedger(n, n);
        ledger.register(EntryKind.ENTRY, name -> {
            long until = System.nanoTime() + spin;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        });
        for (int i = 0; i < n; i++) {
            try (SpaceLedger.Reservation r = ledger.reserve(1)) {
                r.commit(EntryKind.ENTRY, "polykit/e" + i, 1);
            }
        }
        for (int round = 0; round < orders; round++) {
            long slowest = 0;
            long all = 0;
            int writes = 0;
            long evictionsBefore = ledger.evictions();
            while (ledger.evictions() - evictionsBefore < 65_536) {
                long started = System.nanoTime();
                try (SpaceLedger.Reservation r = ledger.reserve(1)) {
                    r.commit(EntryKind.ENTRY, "polykit/w" + round + "-" + writes, 1);
                }
                long took = System.nanoTime() - started;
                slowest = Math.max(slowest, took);
                all += took;
                writes++;
            }
            System.out.printf("n=%d order %d: %d writes, slowest %.1f ms, all %.1f ms%n",
                    n, round, writes, slowest / 1e6, all / 1e6);
        }
    }
}
