package io.polycache.launcher;

import io.polycache.config.Settings;
import io.polycache.config.SettingsException;
import io.polycache.config.Version;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The standalone server: flags in, embedded Tomcat up, graceful stop on SIGTERM. */
public final class Launcher {
    private static final Logger LOG = Logger.getLogger("io.polycache.launcher");

    private Launcher() {}

    /** Runs until stopped; returns the exit status (2 for a bad command line). */
    public static int run(String[] args, Path war, Path launcherLibs) throws Exception {
        LauncherOptions options;
        boolean publicByDefault = false;
        try {
            options = LauncherOptions.parse(Arrays.asList(args));
            if (options.help()) {
                System.out.print(LauncherOptions.USAGE);
                return 0;
            }
            if (options.version()) {
                System.out.println("polycache " + Version.current());
                return 0;
            }
            if (!Settings.accessControlGiven(options.parameters())) {
                if (!isLoopback(options.bind())) {
                    throw new UsageException("refusing to listen on " + options.bind() + " without access control: "
                            + "give --api-keys-file FILE, or --public to let anyone read and write");
                }
                options.parameters().put(Settings.PUBLIC, "true");
                publicByDefault = true;
            }
            Settings.from(options.parameters()); // refuse bad values before starting anything
        } catch (UsageException | SettingsException e) {
            System.err.println("polycache: " + e.getMessage() + " (see --help)");
            return 2;
        }
        setLogLevel(options.logLevel());

        EmbeddedServer server;
        StartupLog startup = new StartupLog();
        try {
            server = EmbeddedServer.start(war, options.bind(), options.port(), options.parameters());
        } catch (EmbeddedServer.PortInUseException e) {
            startup.release(false);
            System.err.println("polycache: " + e.getMessage());
            return 2;
        } catch (IllegalStateException e) {
            startup.release(startup.reason() == null);
            System.err.println("polycache: " + (startup.reason() != null ? startup.reason() : e.getMessage()));
            return 1;
        } catch (Exception | Error e) {
            startup.release(true);
        if (publicByDefault) {
            LOG.warning("No API keys configured: running public (anyone on this machine may read and write). "
                    + "Use --api-keys-file FILE to require keys.");
        }
            throw e;
        }
        startup.release(true);
        if (publicByDefault) {
            LOG.warning("No API keys configured: running public (anyone on this machine may read and write). "
                    + "Use --api-keys-file FILE to require keys.");
        }
        LOG.info("Polycache listening on http://" + hostForUrl(options.bind()) + ":" + server.port()
                + "/ with storage " + server.attribute("io.polycache.storageDir")
                + ", auth: " + server.attribute("io.polycache.authMode"));

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Polycache stopping: finishing requests in flight");
            server.close();
            TempDirs.deleteRecursively(launcherLibs);
            LOG.info("Polycache stopped");
            stopped.countDown();
        }, "polycache-shutdown"));
        stopped.await();
        return 0;
    }

    private static boolean isLoopback(String bind) throws UsageException {
        try {
            return java.net.InetAddress.getByName(bind).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            throw new UsageException("invalid value for --bind: '" + bind + "' (unknown host)");
        }
    }

    private static String hostForUrl(String bind) {
        return bind.contains(":") ? "[" + bind + "]" : bind;
    }

    /** Loggers that print raw request bytes (headers and all) below FINE: never below it. */
    private static final java.util.List<String> RAW_REQUEST_LOGGERS = java.util.List.of(
            "org.apache.coyote.http11.Http11InputBuffer", "org.apache.coyote.http2");
    private static final java.util.List<Logger> PINNED = new java.util.ArrayList<>();

    private static void setLogLevel(Level level) {
        Logger root = Logger.getLogger("");
        root.setLevel(level);
        CredentialRedactor redactor = new CredentialRedactor();
        for (Handler handler : root.getHandlers()) {
            handler.setLevel(level);
            handler.setFilter(redactor);
        }
        if (level.intValue() < Level.FINE.intValue()) {
            for (String name : RAW_REQUEST_LOGGERS) {
                Logger logger = Logger.getLogger(name);
                logger.setLevel(Level.FINE);
                PINNED.add(logger); // loggers are held weakly: keep the setting alive
            }
        }
    }
}
