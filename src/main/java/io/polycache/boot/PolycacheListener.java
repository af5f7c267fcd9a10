package io.polycache.boot;

import io.polycache.artifact.ArtifactService;
import io.polycache.bundle.BundleStats;
import io.polycache.bundle.BundleStore;
import io.polycache.bundle.TreeIngester;
import io.polycache.config.DependencySettings;
import io.polycache.deps.DependencyCache;
import io.polycache.deps.Installer;
import io.polycache.config.Settings;
import io.polycache.config.SettingsException;
import io.polycache.store.ArtifactStore;
import io.polycache.store.BlobStore;
import io.polycache.store.FileStore;
import io.polycache.store.ShardLayout;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.logging.Logger;

/**
 * The one wiring path, in Tomcat and standalone alike: reads the settings, opens the store,
 * builds the services and leaves them in the servlet context for filters and Jersey.
 */
public final class PolycacheListener implements ServletContextListener {
    private static final Logger LOG = Logger.getLogger(PolycacheListener.class.getName());

    /** Context attribute with the absolute storage path, for the standalone launcher's start-up line. */
    public static final String STORAGE_ATTRIBUTE = "io.polycache.storageDir";

    private FileStore files;
    private DependencyCache deps;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        Settings settings;
        try {
            settings = Settings.from(Collections.list(context.getInitParameterNames()), context::getInitParameter);
        } catch (SettingsException e) {
            LOG.severe("Polycache cannot start: " + e.getMessage());
            throw new StartupException(e.getMessage(), null);
        }
        files = new FileStore(new ShardLayout(settings.storageDir()));
        try {
            files.open();
        } catch (IOException e) {
            String message = "storage directory " + settings.storageDir() + " is not usable: " + e;
            LOG.severe("Polycache cannot start: " + message);
            throw new StartupException(message, e);
        }
        deps = dependencyCache(files, settings.deps());
        Services services = new Services(files, new ArtifactService(new ArtifactStore(files)), deps,
                settings.deps().baseUrl());
        context.setAttribute(Settings.class.getName(), settings);
        context.setAttribute(Services.ATTRIBUTE, services);
        context.setAttribute(STORAGE_ATTRIBUTE, settings.storageDir().toString());
        LOG.info("Polycache started: storage " + settings.storageDir()
                + ", max artifact size " + settings.maxArtifactSize() + " bytes");
    }

    private static DependencyCache dependencyCache(FileStore files, DependencySettings settings) {
        BlobStore blobs = new BlobStore(files);
        BundleStore bundles = new BundleStore(files, blobs);
        Installer installer = new Installer(files, new TreeIngester(blobs), bundles, System.getenv(),
                Duration.ofSeconds(settings.installTimeoutSeconds()));
        return new DependencyCache(files, bundles, new BundleStats(files.layout()), installer,
                settings.installConcurrency(), settings.installQueueSize());
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (deps != null) {
            deps.close(); // kills running installs before tmp/ is emptied under them
        }
        if (files != null) {
            try {
                files.clearTmp();
            } catch (IOException e) {
                LOG.warning("Could not empty " + files.layout().tmp() + ": " + e.getMessage());
            }
        }
    }
}
