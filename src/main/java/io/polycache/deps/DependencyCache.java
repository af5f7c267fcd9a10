package io.polycache.deps;

import io.polycache.bundle.BundleStats;
import io.polycache.bundle.BundleStore;
import io.polycache.bundle.BundleStore.OpenBundle;
import io.polycache.store.StorageDirectory;
import io.polycache.store.Sha256;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The dependency cache: answers from a stored bundle when there is one, else installs.
 *
 * <p>One install per bundle hash at a time: a request for a hash being installed waits for that
 * install and shares its outcome. Distinct hashes install in parallel on a bounded pool with a
 * bounded queue; beyond that, requests are refused at once rather than piling up threads.
 */
public final class DependencyCache implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DependencyCache.class.getName());

    private final StorageDirectory files;
    private final BundleStore bundles;
    private final BundleStats stats;
    private final Installer installer;
    private final ThreadPoolExecutor pool;
    private final ConcurrentHashMap<Sha256, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong installsRun = new AtomicLong();
    private final AtomicLong installsFailed = new AtomicLong();
    /** The last few failed installs, newest first, for the status page. */
    private final java.util.Deque<Failure> recentFailures = new java.util.concurrent.ConcurrentLinkedDeque<>();
    static final int RECENT_FAILURES = 5;

    /** A failed install: when it ended, for which manager, and why (the first line of the reason). */
    public record Failure(java.time.Instant at, String manager, String reason) {}

    /** Hears of every finished install: manager, outcome ({@code ok}, {@code failed}, {@code timeout}), duration. */
    @FunctionalInterface
    public interface InstallObserver {
        void installed(String manager, String outcome, Duration duration);
    }

    private final InstallObserver observer;

    public DependencyCache(StorageDirectory files, BundleStore bundles, BundleStats stats, Installer installer,
            int concurrency, int queueSize, InstallObserver observer) {
        this.observer = observer;
        this.files = files;
        this.bundles = bundles;
        this.stats = stats;
        this.installer = installer;
        this.pool = new ThreadPoolExecutor(concurrency, concurrency, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueSize), runnable -> {
                    Thread thread = new Thread(runnable, "polycache-install");
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** The outcome of a request: which bundle, and whether it was stored before the request. */
    public record Resolution(Sha256 hash, boolean cacheHit) {}

    /** Install counts since start-up. */
    public record InstallCounts(long run, long failed) {}

    /** A new draft whose uploaded files go to a staging directory under {@code tmp/}. */
    public RequestDraft newDraft() throws IOException {
        return new RequestDraft(files.newTempDirectory("request-"));
    }

    /**
     * Finds or builds the bundle of a request.
     *
     * @param mayInstall false for a read-only key: a stored bundle is answered, a missing one is
     *                   refused rather than installed
     * @throws InstallNotAllowedException the bundle is not stored and {@code mayInstall} is false
     * @throws InstallFailedException     the package manager failed (shared by all waiters)
     * @throws InstallTimeoutException    the install ran out of time
     * @throws InstallQueueFullException  no install slot or queue place is free
     */
    public Resolution resolve(InstallRequest request, boolean mayInstall) throws IOException, InterruptedException {
        Sha256 hash = BundleHash.of(request);
        // Before the cache: versions this server does not support are refused even when cached.
        Route route = installer.route(request);
        if (bundles.exists(hash)) {
            return new Resolution(hash, true);
        }
        if (!mayInstall) {
            throw new InstallNotAllowedException();
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> running = inFlight.putIfAbsent(hash, mine);
        if (running == null) {
            start(hash, request, route, mine);
            running = mine;
        }
        await(running);
        return new Resolution(hash, false);
    }

    private void start(Sha256 hash, InstallRequest request, Route route, CompletableFuture<Void> outcome) throws IOException {
        Installer.Workspace workspace;
        try {
            workspace = installer.prepare(request);
        } catch (IOException | RuntimeException e) {
            finish(hash, outcome, e);
            throw e;
        }
        try {
            pool.execute(() -> runInstall(hash, request, route, workspace, outcome));
        } catch (RejectedExecutionException e) {
            workspace.close();
            finish(hash, outcome, new InstallQueueFullException());
        }
    }

    private void runInstall(Sha256 hash, InstallRequest request, Route route, Installer.Workspace workspace,
            CompletableFuture<Void> outcome) {
        Throwable failure = null;
        long started = System.nanoTime();
        try {
            // Another request may have finished this bundle between our check and our turn.
            if (!bundles.exists(hash)) {
                installsRun.incrementAndGet();
                installer.install(workspace, request, hash, route);
                observer.installed(request.manager().id(), "ok", Duration.ofNanos(System.nanoTime() - started));
            }
        } catch (Throwable e) {
            installsFailed.incrementAndGet();
            recentFailures.addFirst(new Failure(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                    request.manager().id(), firstLine(e.getMessage())));
            while (recentFailures.size() > RECENT_FAILURES) {
                recentFailures.pollLast();
            }
            LOG.info("Install of " + hash + " (" + request.manager().id() + ") failed: " + e.getMessage());
            observer.installed(request.manager().id(), e instanceof InstallTimeoutException ? "timeout" : "failed",
                    Duration.ofNanos(System.nanoTime() - started));
            failure = e;
        } finally {
            workspace.close();
            finish(hash, outcome, failure);
        }
    }

    /** Forgets the install before completing it: a later request then finds the index, or retries. */
    private void finish(Sha256 hash, CompletableFuture<Void> outcome, Throwable failure) {
        inFlight.remove(hash, outcome);
        if (failure == null) {
            outcome.complete(null);
        } else {
            outcome.completeExceptionally(failure);
        }
    }

    private static void await(CompletableFuture<Void> install) throws IOException, InterruptedException {
        try {
            install.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof IOException io) {
                throw new IOException(io.getMessage(), io);
            }
            if (cause instanceof InterruptedException) {
                throw new IOException("the install was interrupted (server shutting down)", cause);
            }
            throw new IllegalStateException("install failed", cause);
        }
    }

    public Optional<OpenBundle> open(Sha256 hash) throws IOException {
        return bundles.open(hash);
    }

    public BundleStats.Snapshot stats() throws IOException {
        return stats.snapshot();
    }

    public InstallCounts installCounts() {
        return new InstallCounts(installsRun.get(), installsFailed.get());
    }

    /** Installs running or waiting for a slot. */
    public int installsInFlight() {
        return inFlight.size();
    }

    /** The last few failed installs, newest first. */
    public java.util.List<Failure> recentFailures() {
        return java.util.List.copyOf(recentFailures);
    }

    private static String firstLine(String message) {
        String text = message == null ? "unknown reason" : message.strip();
        int newline = text.indexOf('\n');
        text = newline < 0 ? text : text.substring(0, newline);
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }

    /** Node and npm releases fetched into {@code toolchains/} since start-up. */
    public long toolchainsProvisioned() {
        return installer.toolchainsProvisioned();
    }

    /** Stops running installs (their process trees are killed) and refuses new ones. */
    @Override
    public void close() {
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(15, TimeUnit.SECONDS)) {
                LOG.warning("Installs still running at shutdown");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
