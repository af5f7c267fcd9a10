package io.polycache.store.s3;

import io.polycache.config.S3Settings;
import java.net.URI;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** The one place an S3 client is configured. */
public final class S3Clients {
    private S3Clients() {}

    /**
     * A client for the configured store: the SDK's default sync HTTP client, credentials from the
     * default chain (environment, system properties, profile, container or instance role), and
     * checksums only where an operation requires them (newer SDKs otherwise send CRC32 trailers
     * that several S3-compatible stores refuse).
     */
    public static S3Client create(S3Settings settings) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(settings.region()))
                .forcePathStyle(settings.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (!settings.endpoint().isEmpty()) {
            builder.endpointOverride(URI.create(settings.endpoint()));
        }
        return builder.build();
    }
}
