package io.polycache.store.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.testing.S3ProxyProcess;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The janitor's lease on S3Proxy 4.0: a node holds it only when its generation is the newest, and
 * never takes it on a listing the holder's renewal has overtaken.
 */
class JanitorLeaseTest {
    private static final String BUCKET = "leases";

    @TempDir
    Path dir;

    private static String lease(long generation) {
        return "p/janitor/lease-" + String.format("%019d", generation);
    }

    /** What the test client does around a call: the method's name and its request. */
    private interface Hook {
        void on(String method, Object request);
    }

    /**
     * The real client, with a hook run before and one after every call (requests given as
     * builders are built first and come back through here).
     */
    private static S3Client watched(S3Client real, Hook before, Hook after) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (args != null && args.length > 0 && args[0] instanceof Consumer) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            Object request = args == null || args.length == 0 ? null : args[0];
            before.on(method.getName(), request);
            Object result;
            try {
                result = method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            after.on(method.getName(), request);
            return result;
        };
        return (S3Client) Proxy.newProxyInstance(S3Client.class.getClassLoader(), new Class<?>[] {S3Client.class}, handler);
    }

    private static boolean isLeasePut(String method, Object request) {
        return method.equals("putObject") && request instanceof PutObjectRequest put
                && put.key().startsWith("p/janitor/lease-");
    }

    /**
     * A client that, right after this node's first lease PUT, has another node's newer lease
     * appear: what this node meets when its look at the leases missed the holder's.
     */
    private static S3Client racing(S3Client real, AtomicBoolean raced) {
        return watched(real, (method, request) -> { }, (method, request) -> {
            if (isLeasePut(method, request) && raced.compareAndSet(false, true)) {
                putLease(real, 7, "other");
            }
        });
    }

    private static void putLease(S3Client s3, long generation, String holder) {
        s3.putObject(b -> b.bucket(BUCKET).key(lease(generation)), RequestBody.fromString(
                "holder=" + holder + "\nexpires=" + (System.currentTimeMillis() + 60_000) + "\n"));
    }

    /**
     * A client through which the holder renews twice between this node's listing of the leases
     * and its read of the newest (generations 6 and 7 appear, 4 and 5 go, as the holder deletes
     * older ones), and which counts this node's lease PUTs.
     */
    private static S3Client stalling(S3Client real, AtomicBoolean renewed, AtomicInteger leasePuts) {
        return watched(real, (method, request) -> {
            if (method.equals("getObjectAsBytes") && request instanceof GetObjectRequest get
                    && get.key().equals(lease(5)) && renewed.compareAndSet(false, true)) {
                putLease(real, 6, "other");
                putLease(real, 7, "other");
                real.deleteObject(b -> b.bucket(BUCKET).key(lease(4)));
                real.deleteObject(b -> b.bucket(BUCKET).key(lease(5)));
            }
            if (isLeasePut(method, request)) {
                leasePuts.incrementAndGet();
            }
        }, (method, request) -> { });
    }

    @Test
    void aNewestLeaseGoneSinceTheListingIsLookedUpAgainNotTakenAsExpired() throws Exception {
        try (S3ProxyProcess proxy = S3ProxyProcess.start(dir.resolve("s3"), BUCKET); S3Client real = proxy.client()) {
            putLease(real, 4, "other");
            putLease(real, 5, "other");
            AtomicBoolean renewed = new AtomicBoolean();
            AtomicInteger leasePuts = new AtomicInteger();
            Janitor janitor = new Janitor(stalling(real, renewed, leasePuts), BUCKET, "p/", 1 << 20,
                    Duration.ofSeconds(1), Duration.ofSeconds(6), Duration.ofDays(1), BucketBound.NONE,
                    System::currentTimeMillis);

            janitor.tick();
            assertTrue(renewed.get(), "the newest listed went before this node read it");
            assertFalse(janitor.holdsLease(), "the holder's renewed lease is the lease");
            assertEquals(0, leasePuts.get(), "no generation created on a stale listing");
            List<String> leases = real.listObjectsV2(b -> b.bucket(BUCKET).prefix("p/janitor/lease-")).contents()
                    .stream().map(S3Object::key).toList();
            assertEquals(List.of(lease(6), lease(7)), leases);
        }
    }

    @Test
    void aNodeWhoseNewGenerationIsNotTheNewestStandsBackAndRemovesIt() throws Exception {
        try (S3ProxyProcess proxy = S3ProxyProcess.start(dir.resolve("s3"), BUCKET); S3Client real = proxy.client()) {
            AtomicBoolean raced = new AtomicBoolean();
            Janitor janitor = new Janitor(racing(real, raced), BUCKET, "p/", 1 << 20, Duration.ofSeconds(1),
                    Duration.ofSeconds(6), Duration.ofDays(1), BucketBound.NONE, System::currentTimeMillis);

            janitor.tick();
            assertTrue(raced.get(), "the node created a generation of its own");
            assertFalse(janitor.holdsLease(), "another node's newer lease is the lease");
            List<String> leases = real.listObjectsV2(b -> b.bucket(BUCKET).prefix("p/janitor/lease-")).contents()
                    .stream().map(S3Object::key).toList();
            assertEquals(List.of(lease(7)), leases, "the generation left behind is gone");

            janitor.tick();
            assertFalse(janitor.holdsLease(), "and it stays back while that lease lasts");
        }
    }
}
