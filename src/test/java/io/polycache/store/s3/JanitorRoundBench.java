package io.polycache.store.s3;

import io.polycache.testing.S3ProxyProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The cost of one janitor round over N entries on S3Proxy 4.0 (filesystem backend), for
 * docs/scaling.md: a round with nothing to evict (the listing), then one that evicts a tenth of
 * the entries. Prints CSV lines {@code what,entries,evicted,ms,requests} (S3 requests by
 * operation, from S3Proxy's metrics). Run by {@code bench/janitor-round.sh}.
 */
public final class JanitorRoundBench {
    private static final String BUCKET = "janitor-bench";
    private static final int BODY = 1024;

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        Path dir = Path.of(args[1]);
        try (S3ProxyProcess proxy = S3ProxyProcess.start(dir.resolve("s3"), BUCKET); S3Client s3 = proxy.client()) {
            fill(s3, n);
            long total = (long) n * BODY;
            round(proxy, s3, "round-nothing-to-evict", n, total + 1);
            round(proxy, s3, "round-evicting-10pct", n, total - total / 10);
        }
    }

    private static void fill(S3Client s3, int n) throws Exception {
        byte[] body = new byte[BODY];
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> puts = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int first = t;
            puts.add(pool.submit(() -> {
                for (int i = first; i < n; i += 8) {
                    String key = String.format("bench/entries/polykit/%064x", (long) i * 2654435761L);
                    s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(body));
                }
                return null;
            }));
        }
        for (Future<?> put : puts) {
            put.get();
        }
        pool.shutdown();
    }

    private static void round(S3ProxyProcess proxy, S3Client s3, String what, int n, long bound) throws Exception {
        Janitor janitor = new Janitor(s3, BUCKET, "bench/", bound, Duration.ofHours(1), Duration.ofMinutes(10),
                Duration.ofDays(1), new BucketBound(Long.MAX_VALUE), System::currentTimeMillis);
        Map<String, Long> before = proxy.requestCounts();
        long started = System.nanoTime();
        janitor.tick(); // takes the lease, then runs a round
        long ms = (System.nanoTime() - started) / 1_000_000;
        Map<String, Long> after = proxy.requestCounts();
        if (janitor.rounds() != 1) {
            throw new IllegalStateException("no round ran");
        }
        Map<String, Long> made = new HashMap<>();
        after.forEach((op, count) -> {
            long delta = count - before.getOrDefault(op, 0L);
            if (delta > 0) {
                made.put(op, delta);
            }
        });
        janitor.close(); // hands the lease over to the next round's janitor
        System.out.println(what + "," + n + "," + janitor.evictedEntries() + "," + ms + ","
                + made.toString().replace(",", ";").replace(" ", ""));
    }
}
