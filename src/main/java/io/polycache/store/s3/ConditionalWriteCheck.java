package io.polycache.store.s3;

import java.util.UUID;
import java.util.logging.Logger;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The start-up self-test of the one S3 feature write-once rests on: a conditional write
 * ({@code If-None-Match: *}). It writes a probe object twice; unless the second write is refused
 * with 412, the node must not start (S3Proxy before 4.0 and s3rver accept the header and
 * overwrite: write-once would silently break). It also proves the bucket, the credentials and
 * the write, read and delete permissions.
 */
public final class ConditionalWriteCheck {
    private static final Logger LOG = Logger.getLogger(ConditionalWriteCheck.class.getName());

    /** Why a store cannot be used; the message names what is missing. */
    public static final class Failed extends Exception {
        public Failed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The two writes of the probe, as the check needs them (an interface so its logic is testable). */
    interface Probe {
        /** Writes the probe with {@code If-None-Match: *}; returns the HTTP status (200, 412, ...). */
        int putIfAbsent(String name, byte[] body);

        void delete(String name);
    }

    private ConditionalWriteCheck() {}

    /** Runs the check against the bucket; returns normally only if conditional writes hold. */
    public static void run(S3Client s3, String bucket, String prefix) throws Failed {
        run(new Probe() {
            @Override
            public int putIfAbsent(String name, byte[] body) {
                try {
                    return s3.putObject(b -> b.bucket(bucket).key(name).ifNoneMatch("*").contentLength((long) body.length),
                            RequestBody.fromBytes(body)).sdkHttpResponse().statusCode();
                } catch (S3Exception e) {
                    if (e.statusCode() == 412) {
                        return 412;
                    }
                    throw e;
                }
            }

            @Override
            public void delete(String name) {
                s3.deleteObject(b -> b.bucket(bucket).key(name));
            }
        }, bucket, prefix + "probe/conditional-write-" + UUID.randomUUID());
    }

    static void run(Probe probe, String bucket, String name) throws Failed {
        String where = "S3 bucket " + bucket;
        int first;
        int second;
        try {
            first = probe.putIfAbsent(name, "first".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            if (first / 100 != 2) {
                throw new Failed(where + " refused a conditional write (If-None-Match: *) of a new object with "
                        + first + ": the store does not support conditional writes, which write-once entries need "
                        + "across nodes", null);
            }
            second = probe.putIfAbsent(name, "second".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (S3Exception e) {
            String code = e.awsErrorDetails() == null ? "" : " " + e.awsErrorDetails().errorCode();
            if (e.statusCode() == 501 || e.statusCode() == 400) {
                throw new Failed(where + " does not support conditional writes (If-None-Match: *): it answered "
                        + e.statusCode() + code + "; write-once entries across nodes need them", e);
            }
            throw new Failed(where + " is not usable: a probe write failed with " + e.statusCode() + code
                    + " (check the bucket name, region, endpoint, credentials and s3:PutObject permission)", e);
        } catch (SdkException e) {
            throw new Failed(where + " is not reachable: " + e.getMessage(), e);
        } finally {
            try {
                probe.delete(name);
            } catch (SdkException e) {
                LOG.warning("Could not delete the probe object " + name + ": " + e.getMessage());
            }
        }
        if (second != 412) {
            throw new Failed(where + " ignores If-None-Match: * (a second conditional write of one object was "
                    + "answered " + second + " instead of 412 Precondition Failed and overwrote it): the store lacks "
                    + "conditional writes, so write-once entries could be overwritten across nodes. Use a store that "
                    + "supports them (such as AWS S3, or S3Proxy 4.0 and later)", null);
        }
        LOG.info(where + ": conditional writes hold (If-None-Match: * refused an existing object with 412)");
    }
}
