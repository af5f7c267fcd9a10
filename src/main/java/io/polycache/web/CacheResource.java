package io.polycache.web;

import io.polycache.deps.DependencyCache;
import io.polycache.deps.DependencyCache.Resolution;
import io.polycache.deps.InstallRequest;
import io.polycache.deps.RequestDraft;
import io.polycache.metrics.CacheMetrics;
import io.polycache.web.filter.ApiKeyFilter;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.inject.Named;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** The DepCacheProxy protocol's request: "give me a bundle of these dependencies". */
@Path("v1/cache")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class CacheResource {
    /** Names the injected public base URL ("" to derive it from the request). */
    public static final String BASE_URL = "polycache.baseUrl";

    private final DependencyCache cache;
    private final String baseUrl;
    private final CacheMetrics metrics;

    @Inject
    public CacheResource(DependencyCache cache, @Named(BASE_URL) String baseUrl, CacheMetrics metrics) {
        this.cache = cache;
        this.baseUrl = baseUrl;
        this.metrics = metrics;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, Object> json(InputStream body, @Context UriInfo uri, @Context HttpServletRequest http)
            throws IOException, InterruptedException {
        try (RequestDraft draft = cache.newDraft()) {
            CacheRequestReader.readJson(body, draft);
            return answer(draft, uri, http);
        }
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Map<String, Object> multipart(InputStream body, @Context HttpHeaders headers, @Context UriInfo uri,
            @Context HttpServletRequest http) throws IOException, InterruptedException {
        String boundary = headers.getMediaType().getParameters().get("boundary");
        try (RequestDraft draft = cache.newDraft()) {
            CacheRequestReader.readMultipart(body, boundary, draft);
            return answer(draft, uri, http);
        }
    }

    /** Any other body type: say which two are understood (Jersey's own 415 names none). */
    @POST
    public jakarta.ws.rs.core.Response otherType(@Context HttpHeaders headers) {
        MediaType type = headers.getMediaType();
        return Errors.of(415, "POST /v1/cache takes multipart/form-data (curl -F) or application/json, not "
                + (type == null ? "a body without Content-Type" : type.getType() + "/" + type.getSubtype()));
    }

    private Map<String, Object> answer(RequestDraft draft, UriInfo uri, HttpServletRequest http)
            throws IOException, InterruptedException {
        InstallRequest request = draft.validate();
        boolean readOnlyKey = Boolean.TRUE.equals(http.getAttribute(ApiKeyFilter.READ_ONLY_ATTRIBUTE));
        Resolution resolution = cache.resolve(request, !readOnlyKey);
        if (resolution.cacheHit()) {
            metrics.hit(Protocol.DEPS.metricName());
        } else {
            metrics.miss(Protocol.DEPS.metricName());
        }
        String base = baseUrl.isEmpty() ? uri.getBaseUri().toString().replaceAll("/+$", "") : baseUrl;
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("download_url", base + "/download/" + resolution.hash().value() + ".zip");
        answer.put("cache_hit", resolution.cacheHit());
        answer.put("hash", resolution.hash().value());
        return answer;
    }
}
