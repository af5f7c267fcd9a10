package io.polycache.store.s3;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.SdkHttpService;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * The GET of one object, for reads: the request the SDK's {@code GetObject} sends (Signature
 * Version 4 by the SDK's signer, with the client's credentials, region and endpoint, path or
 * virtual-host style as the client addresses the bucket), through the SDK's Apache HTTP
 * client, without the SDK's request pipeline around it (interceptors, auth-scheme and endpoint
 * rules per call, response unmarshalling, metrics): that pipeline cost about 0.4 ms of CPU per
 * GET of a 4 KiB object where the request itself cost 0.15-0.2 ms
 * ({@code bench/experiments/S3GetBench.java}), which a cold read of the local tier paid in full.
 * Every other S3 request goes through the {@link S3Client}.
 *
 * <p>Retries as the SDK's standard mode does for a read: up to three attempts on an I/O error or
 * a 500, 502, 503 or 504 answer, with a short backoff.
 */
final class ObjectGets implements AutoCloseable {
    static final int ATTEMPTS = 3;
    private static final Pattern ERROR_CODE = Pattern.compile("<Code>([^<]{1,100})</Code>");

    /** An answer other than 200: its status and S3 error code (empty if it gave none). */
    static final class Refused extends IOException {
        final int status;
        final String code;

        Refused(int status, String code, String name) {
            super(status + (code.isEmpty() ? "" : " " + code) + " for " + name);
            this.status = status;
            this.code = code;
        }
    }

    /** A 200 answer: its headers, and its body, which the caller reads or aborts, then closes. */
    record Response(SdkHttpResponse http, AbortableInputStream body) {
        Optional<String> header(String name) {
            return http.firstMatchingHeader(name);
        }

        Map<String, List<String>> headers() {
            return http.headers();
        }
    }

    private final SdkHttpClient http;
    private final String base;
    private final IdentityProvider<? extends AwsCredentialsIdentity> credentials;
    private final String region;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    ObjectGets(SdkHttpClient http, String base, IdentityProvider<? extends AwsCredentialsIdentity> credentials,
            String region) {
        this.http = http;
        this.base = base;
        this.credentials = credentials;
        this.region = region;
    }

    /**
     * GETs of {@code bucket}'s objects as {@code s3} addresses them, through an HTTP client of
     * their own: the sync client the SDK finds on the class path (Apache), with the defaults the
     * SDK gives its own (at most 50 connections, 2 s to connect, 30 s per read).
     */
    static ObjectGets of(S3Client s3, String bucket) {
        String probe = s3.utilities().getUrl(b -> b.bucket(bucket).key("k")).toExternalForm();
        if (!probe.endsWith("/k")) {
            throw new IllegalStateException("unexpected object URL " + probe);
        }
        SdkHttpService service = java.util.ServiceLoader.load(SdkHttpService.class, ObjectGets.class.getClassLoader())
                .findFirst().orElseThrow(() -> new IllegalStateException("no SDK HTTP client on the class path"));
        SdkHttpClient http = service.createHttpClientBuilder()
                .buildWithDefaults(SdkHttpConfigurationOption.GLOBAL_HTTP_DEFAULTS);
        var config = s3.serviceClientConfiguration();
        return new ObjectGets(http, probe.substring(0, probe.length() - 1), config.credentialsProvider(),
                config.region().id());
    }

    /** The URL of an object: its name encoded as S3 wants it (each byte but unreserved ones and {@code /}). */
    URI url(String name) {
        return URI.create(base + SdkHttpUtils.urlEncodeIgnoreSlashes(name));
    }

    /**
     * GETs the object {@code name}: its 200 answer, or {@link Refused} for any other answer (after
     * the retries for a 5xx), or the I/O error of the last attempt.
     */
    Response get(String name) throws IOException {
        URI url = url(name);
        IOException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            if (attempt > 0) {
                backOff(attempt);
            }
            HttpExecuteResponse response;
            try {
                response = http.prepareRequest(HttpExecuteRequest.builder().request(sign(url)).build()).call();
            } catch (IOException e) {
                last = e;
                continue;
            }
            int status = response.httpResponse().statusCode();
            AbortableInputStream body = response.responseBody().orElse(null);
            if (status == 200 && body != null) {
                return new Response(response.httpResponse(), body);
            }
            String code = errorCode(body);
            last = new Refused(status, code, name);
            if (status != 500 && status != 502 && status != 503 && status != 504) {
                break;
            }
        }
        throw last;
    }

    private SdkHttpRequest sign(URI url) {
        SdkHttpFullRequest request = SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.GET)
                .uri(url)
                .putHeader("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
                .build();
        AwsCredentialsIdentity identity = credentials.resolveIdentity().join();
        SignedRequest signed = signer.sign(r -> r.identity(identity)
                .request(request)
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false));
        return signed.request();
    }

    /** The S3 error code in an error answer's (small, XML) body, or empty; closes the body. */
    static String errorCode(InputStream body) {
        if (body == null) {
            return "";
        }
        try (body) {
            String text = new String(body.readNBytes(8192), java.nio.charset.StandardCharsets.UTF_8);
            Matcher m = ERROR_CODE.matcher(text);
            return m.find() ? m.group(1) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void backOff(int attempt) throws IOException {
        try {
            Thread.sleep(50L << attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted between attempts of a GET");
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
