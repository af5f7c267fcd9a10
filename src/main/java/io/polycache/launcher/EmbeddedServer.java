package io.polycache.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Constants;
import org.apache.catalina.startup.ContextConfig;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.tomcat.util.descriptor.web.ApplicationParameter;

/**
 * The WAR on an embedded Tomcat. The webapp starts exactly as in a Tomcat deployment, through
 * its own web.xml; the parameters are handed over as context parameters that win over web.xml's
 * defaults, as {@code <Parameter override="false"/>} in a context descriptor does.
 */
public final class EmbeddedServer implements AutoCloseable {
    /** Tomcat's notice that it cannot list the launcher's class path is noise here. */
    private static final java.util.logging.Logger LOADER_LOG =
            java.util.logging.Logger.getLogger("org.apache.catalina.loader.WebappLoader");

    static {
        LOADER_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    /** How long shutdown waits for requests in flight. */
    static final long DRAIN_MILLIS = 30_000;

    private final Tomcat tomcat;
    private final Context context;
    private final Connector connector;
    private final Path baseDir;

    private EmbeddedServer(Tomcat tomcat, Context context, Connector connector, Path baseDir) {
        this.tomcat = tomcat;
        this.context = context;
        this.connector = connector;
        this.baseDir = baseDir;
    }

    /**
     * Starts the WAR.
     *
     * @throws PortInUseException if {@code bind:port} is taken (checked before anything starts)
     * @throws IllegalStateException if the webapp refused to start (the reason is in the log)
     */
    public static EmbeddedServer start(Path war, String bind, int port, Map<String, String> parameters)
            throws LifecycleException, IOException {
        if (port != 0) {
            // Tomcat would log the failed bind and start the webapp anyway, serving nothing.
            ensureFree(bind, port);
        }
        Path baseDir = TempDirs.create("polycache-tomcat-");
        Files.createDirectories(baseDir.resolve("webapps"));
        Tomcat tomcat = new Tomcat();
        tomcat.setSilent(true);
        tomcat.setBaseDir(baseDir.toString());
        tomcat.getServer().setParentClassLoader(EmbeddedServer.class.getClassLoader());

        // NIO2: small reads 1.08-1.17x the requests per second of NIO on the same machine, uploads
        // alike (docs/benchmarks.md). NIO2 sends a file through the connection's write buffer
        // rather than by zero-copy sendfile: a 64 KiB buffer (8 KiB by default), direct so that
        // the file is read into it and written from it without a copy through the heap, gives
        // large reads 0.91-0.99x nginx's speed, for 72 KiB of direct memory per open connection.
        Connector connector = new Connector("org.apache.coyote.http11.Http11Nio2Protocol");
        connector.setPort(port);
        connector.setProperty("address", bind);
        connector.setProperty("socket.appWriteBufSize", "65536");
        connector.setProperty("socket.directBuffer", "true");
        // Answer Expect: 100-continue only when the application reads the body, so an upload
        // refused from its Content-Length is never sent.
        connector.setProperty("continueResponseTiming", "onRead");
        connector.setProperty("server", "Polycache");
        // Build tools fetch many small artifacts over few connections: do not close a busy
        // connection every 100 requests (Tomcat's default).
        connector.setProperty("maxKeepAliveRequests", "10000");
        tomcat.setConnector(connector);

        // Whatever escapes the webapp answers without a stack trace or the server's version.
        ErrorReportValve errors = new ErrorReportValve();
        errors.setShowReport(false);
        errors.setShowServerInfo(false);
        tomcat.getHost().getPipeline().addValve(errors);

        tomcat.setAddDefaultWebXmlToWebapp(false);
        ContextConfig config = new ContextConfig();
        config.setDefaultWebXml(Constants.NoDefaultWebXml);
        Context context = tomcat.addWebapp(tomcat.getHost(), "", war.toString(), config);
        ((StandardContext) context).setUnloadDelay(DRAIN_MILLIS);
        parameters.forEach((name, value) -> {
            ApplicationParameter parameter = new ApplicationParameter();
            parameter.setName(name);
            parameter.setValue(value);
            parameter.setOverride(false);
            context.addApplicationParameter(parameter);
        });

        EmbeddedServer server = new EmbeddedServer(tomcat, context, connector, baseDir);
        tomcat.start();
        if (connector.getState() != LifecycleState.STARTED || connector.getLocalPort() < 0) {
            server.close(); // taken between the check above and Tomcat's bind
            throw new PortInUseException(bind, port);
        }
        if (context.getState() != LifecycleState.STARTED) {
            server.close();
            throw new IllegalStateException("the Polycache webapp did not start; see the log above");
        }
        return server;
    }

    private static void ensureFree(String bind, int port) throws IOException {
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true); // as Tomcat binds: a port in TIME_WAIT is free
            probe.bind(new java.net.InetSocketAddress(java.net.InetAddress.getByName(bind), port));
        } catch (java.net.BindException e) {
            throw new PortInUseException(bind, port);
        }
    }

    /** The address and port to listen on are taken by another process. */
    public static final class PortInUseException extends IllegalStateException {
        PortInUseException(String bind, int port) {
            super((bind.contains(":") ? "[" + bind + "]" : bind) + ":" + port + " is in use; pick another with --port");
        }
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** An attribute the webapp published in its servlet context. */
    public Object attribute(String name) {
        return context.getServletContext().getAttribute(name);
    }

    /** Stops accepting connections, lets requests in flight finish (bounded), then stops. */
    @Override
    public void close() {
        try {
            tomcat.stop();
            tomcat.destroy();
        } catch (LifecycleException e) {
            throw new IllegalStateException("Tomcat did not stop cleanly", e);
        } finally {
            TempDirs.deleteRecursively(baseDir);
        }
    }
}
