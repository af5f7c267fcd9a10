package io.polycache.web;

import io.polycache.metrics.CacheMetrics;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

/** Prometheus scrape endpoint. */
@Path("metrics")
@Singleton
public final class MetricsResource {
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final CacheMetrics metrics;

    @Inject
    public MetricsResource(CacheMetrics metrics) {
        this.metrics = metrics;
    }

    @GET
    public Response scrape() {
        StreamingOutput body = metrics::scrape;
        return Response.ok(body, PROMETHEUS_TEXT).build();
    }
}
