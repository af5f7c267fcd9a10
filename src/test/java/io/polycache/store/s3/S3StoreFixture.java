package io.polycache.store.s3;

import io.polycache.store.EntryKey;
import io.polycache.store.StorageDirectory;
import io.polycache.store.Namespace;
import io.polycache.store.ShardLayout;
import io.polycache.store.SpaceLedger;
import io.polycache.testing.S3ProxyProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/** One S3Proxy per test class; each store gets its own prefix in one bucket, and its own node directory. */
final class S3StoreFixture implements AutoCloseable {
    static final String BUCKET = "contract";
    private static final AtomicInteger STORES = new AtomicInteger();

    final S3ProxyProcess proxy;
    final S3Client s3;
    private final List<S3Client> clients = new CopyOnWriteArrayList<>();

    S3StoreFixture(Path dir) throws Exception {
        proxy = S3ProxyProcess.start(dir.resolve("s3"), BUCKET);
        s3 = proxy.client();
    }

    String newPrefix() {
        return "t" + STORES.incrementAndGet() + "/";
    }

    static StorageDirectory node(Path dir) throws IOException {
        StorageDirectory files = new StorageDirectory(new ShardLayout(dir));
        files.open();
        return files;
    }

    /**
     * A store with a client of its own. A test that restarts the proxy leaves its client's pooled
     * connections dead; the SDK tries a request on up to four of them, so in a shared client they
     * would fail the next test's first request.
     */
    S3EntryStore remote(StorageDirectory node, String prefix) {
        S3Client client = proxy.client();
        clients.add(client);
        return new S3EntryStore(client, BUCKET, prefix, node, SpaceLedger.unbounded(), new S3Health());
    }

    /** Overwrites the object with a shorter body under the same metadata, as a foreign tool might. */
    void damage(S3EntryStore store, Namespace namespace, EntryKey key) {
        String name = store.objectKey(namespace, key);
        HeadObjectResponse head = s3.headObject(b -> b.bucket(BUCKET).key(name));
        byte[] shorter = new byte[(int) Math.max(0, head.contentLength() - 7)];
        s3.putObject(b -> b.bucket(BUCKET).key(name).metadata(head.metadata()), RequestBody.fromBytes(shorter));
    }

    /** Flips one byte inside an object's body, keeping its metadata (a bad disk under the store). */
    void corruptBody(S3EntryStore store, Namespace namespace, EntryKey key) {
        String name = store.objectKey(namespace, key);
        HeadObjectResponse head = s3.headObject(b -> b.bucket(BUCKET).key(name));
        byte[] body = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(name)).asByteArray();
        body[body.length / 3] ^= 0x01;
        s3.putObject(b -> b.bucket(BUCKET).key(name).metadata(head.metadata()), RequestBody.fromBytes(body));
    }

    static long files(Path dir) throws IOException {
        return io.polycache.testing.TempFiles.left(dir).size();
    }

    @Override
    public void close() {
        clients.forEach(S3Client::close);
        s3.close();
        proxy.close();
    }
}
