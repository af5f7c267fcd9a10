package io.polycache.boot;

import io.polycache.artifact.ArtifactService;
import io.polycache.deps.DependencyCache;
import io.polycache.store.StorageDirectory;
import io.polycache.web.CacheResource;
import io.polycache.web.ClientResource;
import io.polycache.web.DependencyMappers;
import io.polycache.web.DownloadResource;
import io.polycache.web.ExceptionMappers;
import io.polycache.web.HealthResource;
import io.polycache.web.MetricsResource;
import io.polycache.web.Services;
import io.polycache.web.StatsResource;
import io.polycache.web.StatusPageResource;
import io.polycache.web.buildcache.BuildCacheResource;
import io.polycache.web.buildcache.RefusalMapper;
import io.polycache.metrics.CacheMetrics;
import io.polycache.store.EntryStore;
import io.polycache.store.SpaceLedger;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.core.Context;
import org.glassfish.jersey.internal.inject.AbstractBinder;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/** Jersey's view of the application: the resources, the mappers, and the services they use. */
public final class PolycacheApplication extends ResourceConfig {

    public PolycacheApplication(@Context ServletContext context) {
        Services services = (Services) context.getAttribute(Services.ATTRIBUTE);
        if (services == null) {
            throw new IllegalStateException("Polycache services are missing: the start-up listener did not run");
        }
        register(JacksonFeature.class);
        register(HealthResource.class);
        register(MetricsResource.class);
        register(StatsResource.class);
        register(StatusPageResource.class);
        ExceptionMappers.all().forEach(this::register);
        register(CacheResource.class);
        register(DownloadResource.class);
        register(ClientResource.class);
        DependencyMappers.all().forEach(this::register);
        register(BuildCacheResource.class);
        register(RefusalMapper.class);
        register(new AbstractBinder() {
            @Override
            protected void configure() {
                bind(services.files()).to(StorageDirectory.class);
                bind(services.artifacts()).to(ArtifactService.class);
                bind(services.entries()).to(EntryStore.class);
                bind(services.ledger()).to(SpaceLedger.class);
                bind(services.metrics()).to(CacheMetrics.class);
                bind(services.deps()).to(DependencyCache.class);
                bind(services.settings().deps().baseUrl()).to(String.class).named(CacheResource.BASE_URL);
            }
        });
        // Our mappers write every error body; no HTML error pages from the container.
        property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, true);
        property(ServerProperties.WADL_FEATURE_DISABLE, true);
    }
}
