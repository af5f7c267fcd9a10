package io.polycache.config;

/**
 * The shared store of several nodes: an S3-compatible bucket, with the node's own disk as a
 * bounded local tier in front of it. An empty bucket means a single node, as before.
 *
 * @param endpoint       empty for AWS; else the store's URL (MinIO, Ceph RGW, Garage, R2, ...)
 * @param prefix         prepended to every object name; empty or ending with {@code /}
 * @param pathStyle      bucket in the path rather than the host name (MinIO, Ceph, S3Proxy)
 * @param localCacheSize bytes of entries the node keeps on its disk, filled on reads
 * @param retention      how the bucket is kept bounded
 */
public record S3Settings(String bucket, String endpoint, String region, String prefix, boolean pathStyle,
        long localCacheSize, RetentionSettings retention) {

    /** With the default retention. */
    public S3Settings(String bucket, String endpoint, String region, String prefix, boolean pathStyle,
            long localCacheSize) {
        this(bucket, endpoint, region, prefix, pathStyle, localCacheSize, RetentionSettings.DEFAULT);
    }

    /** Whether the node stores in a bucket (several nodes) rather than on its disk alone. */
    public boolean enabled() {
        return !bucket.isEmpty();
    }

    @Override
    public String toString() {
        return enabled() ? "S3[bucket=" + bucket + ", endpoint=" + (endpoint.isEmpty() ? "AWS" : endpoint)
                + ", region=" + region + ", prefix=" + prefix + ", pathStyle=" + pathStyle + ", localCacheSize="
                + localCacheSize + ", retention=" + retention + "]" : "S3[off]";
    }
}
