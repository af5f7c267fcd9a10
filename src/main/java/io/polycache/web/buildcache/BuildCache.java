package io.polycache.web.buildcache;

import io.polycache.store.EntryMeta;
import io.polycache.store.Namespace;
import io.polycache.store.WritePolicy;
import io.polycache.web.EntryReads;
import io.polycache.web.Protocol;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The build tools' HTTP caches Polycache serves, each a thin adapter over the entry store: how
 * its paths become keys, its write policy, the content type of a hit, and whether a read fault
 * is answered as a miss. Bodies are opaque except Bazel's CAS (see {@link BazelPaths}).
 */
public enum BuildCache {
    /** Bazel's HTTP remote cache: {@code [instance/]ac|cas/<sha256>}. */
    BAZEL(Protocol.BAZEL, "application/octet-stream", false, false, true),
    /** ccache's HTTP storage, any layout (subdirs, flat, bazel): a path key, replaced on PUT. */
    CCACHE(Protocol.CCACHE, "application/octet-stream", false, true, false),
    /**
     * Gradle's HTTP build cache: {@code <key>}, replaced on PUT. Gradle turns its remote cache
     * off for the rest of a build on a 500 read, so a read fault is logged, metered and a miss.
     */
    GRADLE(Protocol.GRADLE, "application/vnd.gradle.build-cache-artifact.v1", true, false, false),
    /** The Maven build cache extension: {@code v1.2/<groupId>/<artifactId>/<checksum>/<file>}. */
    MAVEN(Protocol.MAVEN, "application/octet-stream", false, false, false);

    /** The namespace of a path-keyed cache (all but Bazel): the protocol's name, replaced on PUT. */
    private final Namespace namespace;
    private final Protocol protocol;
    private final boolean deletes;
    private final boolean lengthRequired;
    private final String contentType;
    private final EntryReads.Answer answer;

    BuildCache(Protocol protocol, String contentType, boolean faultIsMiss, boolean deletes, boolean lengthRequired) {
        this.protocol = protocol;
        this.namespace = new Namespace(protocol.metricName(), WritePolicy.REPLACE);
        this.deletes = deletes;
        this.lengthRequired = lengthRequired;
        this.contentType = contentType;
        this.answer = new EntryReads.Answer() {
            @Override
            public void found(HttpServletResponse response, EntryMeta meta) {
                response.setContentType(contentType);
            }

            @Override
            public void missing(HttpServletResponse response) throws IOException {
                protocol.writeError(response, 404, "Not found");
            }

            @Override
            public boolean faultIsMiss() {
                return faultIsMiss;
            }
        };
    }

    /** The protocols' names, for their metrics and stats. */
    public static List<String> protocolNames() {
        return java.util.Arrays.stream(values()).map(cache -> cache.protocol.metricName()).toList();
    }

    /** The cache a path within the webapp belongs to, if any. */
    static Optional<BuildCache> of(String path) {
        Protocol protocol = Protocol.of(path);
        for (BuildCache cache : values()) {
            if (cache.protocol == protocol) {
                return Optional.of(cache);
            }
        }
        return Optional.empty();
    }

    /**
     * Parses a path within the webapp ({@code /bazel/ac/…}) into its target.
     *
     * @throws io.polycache.store.InvalidKeyException when the path is not a key of this cache
     */
    Target target(String path) {
        String rest = path.substring(prefix().length());
        if (this == BAZEL) {
            return BazelPaths.parse(this, rest);
        }
        return Target.opaque(this, namespace, PathKey.of(rest));
    }

    /** {@code /bazel/}, {@code /ccache/}, …: the protocol's path prefix. */
    String prefix() {
        return "/" + protocol.metricName() + "/";
    }

    Protocol protocol() {
        return protocol;
    }

    /** The content type of a hit. */
    String contentType() {
        return contentType;
    }

    EntryReads.Answer answer() {
        return answer;
    }

    /** Whether a PUT must declare its {@code Content-Length} (Bazel, as bazel-remote: 411 otherwise). */
    boolean lengthRequired() {
        return lengthRequired;
    }

    /** Whether clients may delete entries (ccache removes what it found corrupt). */
    boolean deletes() {
        return deletes;
    }
}
