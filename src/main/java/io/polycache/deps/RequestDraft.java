package io.polycache.deps;

import io.polycache.store.StorageDirectory;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A request as it is read, field by field, in whatever order the client sent them. Uploaded
 * files stream into a staging directory under {@code tmp/} rather than memory; closing the
 * draft removes them.
 */
public final class RequestDraft implements AutoCloseable {
    /** Most custom arguments one request may give; the allow-list is shorter than this anyway. */
    static final int MAX_CUSTOM_ARGS = 16;
    private static final String MANAGERS = "npm, pnpm, yarn or composer";

    private final Path staging;
    private final TreeMap<String, Path> files = new TreeMap<>();
    private String manager;
    private Map<String, String> versions;
    private List<String> customArgs = List.of();
    private Map<String, String> platform;

    RequestDraft(Path staging) {
        this.staging = staging;
    }

    public void manager(String manager) {
        this.manager = manager;
    }

    public void versions(Map<String, String> versions) {
        this.versions = versions;
    }

    /** The runner's platform: {@code os}, {@code cpu} and (on linux) {@code libc}. */
    public void platform(Map<String, String> platform) {
        this.platform = platform;
    }

    public void customArgs(List<String> customArgs) {
        if (customArgs.size() > MAX_CUSTOM_ARGS) {
            throw new InvalidRequestException("Too many custom_args (at most " + MAX_CUSTOM_ARGS + ")");
        }
        this.customArgs = new ArrayList<>(customArgs);
    }

    /**
     * Where to write the content of an uploaded file. The name is checked before a byte is
     * written: only the manifest and lockfile names of a known manager are accepted.
     */
    public OutputStream newFile(String name) throws IOException {
        if (name == null || name.isEmpty()) {
            throw new InvalidRequestException("A file has no name");
        }
        if (!Manager.isKnownFileName(name)) {
            throw new InvalidRequestException("Unsupported file name '" + name
                    + "' (expected package.json, package-lock.json, pnpm-lock.yaml, yarn.lock, .yarnrc.yml, composer.json or composer.lock)");
        }
        if (files.containsKey(name)) {
            throw new InvalidRequestException("Duplicate file '" + name + "'");
        }
        Path file = staging.resolve(name);
        files.put(name, file);
        return Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /** @throws InvalidRequestException saying the first thing that is wrong */
    public InstallRequest validate() throws IOException {
        if (manager == null || manager.isEmpty()) {
            throw new InvalidRequestException("Missing field 'manager' (expected " + MANAGERS + ")");
        }
        Manager m = Manager.byId(manager).orElseThrow(() -> new InvalidRequestException(
                "Unsupported manager '" + manager + "' (expected " + MANAGERS + ")"));
        for (String name : files.keySet()) {
            if (!m.accepts(name)) {
                throw new InvalidRequestException("Unexpected file '" + name + "' for " + m.id()
                        + " (expected " + m.filesText() + ")");
            }
        }
        if (!files.containsKey(m.manifest())) {
            throw new InvalidRequestException("Missing file '" + m.manifest() + "' for " + m.id());
        }
        Versions v = Versions.validate(m, versions);
        for (String arg : customArgs) {
            if (!m.allowsArg(arg)) {
                throw new InvalidRequestException("Custom argument '" + arg + "' is not allowed for " + m.id()
                        + " (allowed: " + m.allowedArgsText() + ")");
            }
        }
        YarnConfig yarn = null;
        if (m == Manager.YARN) {
            yarn = checkYarnFlavour(v.byName().get("yarn"));
        }
        return new InstallRequest(m, v, customArgs, files, platformFor(m, v), yarn);
    }

    /**
     * Yarn classic (1.x) and Berry (2 and later) share a manager name and a lockfile name; the
     * requested version says which runs, and the lockfile (Berry's starts with a
     * {@code __metadata} block) must be the same kind, else the frozen install could only fail.
     */
    private YarnConfig checkYarnFlavour(String yarn) throws IOException {
        boolean berry = Versions.isYarnBerry(yarn);
        if (berry && !customArgs.isEmpty()) {
            throw new InvalidRequestException("Custom argument '" + customArgs.get(0) + "' is not allowed for yarn "
                    + yarn + " (Yarn 2 and later take no custom arguments here)");
        }
        Path config = files.get(YarnConfig.FILE_NAME);
        if (config != null && !berry) {
            throw new InvalidRequestException(YarnConfig.FILE_NAME + " is Yarn 2+ configuration but the request names yarn "
                    + yarn + " (Yarn 1 reads .yarnrc, which is not accepted)");
        }
        Path lock = files.get(Manager.YARN.lockfile());
        if (lock != null) {
            boolean berryLock = isBerryLockfile(lock);
            if (berry != berryLock) {
                throw new InvalidRequestException("yarn.lock is a " + (berryLock ? "Yarn 2+ (Berry)" : "Yarn classic (v1)")
                        + " lockfile but the request names yarn " + yarn);
            }
        }
        if (!berry) {
            return null;
        }
        return config == null ? YarnConfig.ABSENT : YarnConfig.read(config);
    }

    /** Whether the first line that is neither blank nor a comment opens Berry's {@code __metadata} block. */
    static boolean isBerryLockfile(Path lock) throws IOException {
        try (java.io.BufferedReader reader = Files.newBufferedReader(lock, java.nio.charset.StandardCharsets.UTF_8)) {
            String line;
            int read = 0;
            while ((line = reader.readLine()) != null && read++ < 1000) {
                String trimmed = line.strip();
                if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                    return trimmed.startsWith("__metadata:");
                }
            }
            return false;
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new InvalidRequestException("yarn.lock is not UTF-8 text");
        }
    }

    /**
     * The platform to install for. PHP code is portable and composer resolves against the
     * server's PHP whatever the runner, so for composer a (valid) platform changes nothing, the
     * bundle hash included: every runner shares one vendor tree.
     */
    private RunnerPlatform platformFor(Manager m, Versions v) {
        if (platform == null) {
            return null;
        }
        RunnerPlatform p = RunnerPlatform.validate(platform);
        if (m.isProvisionedJs()) {
            throw new InvalidRequestException("A platform is not supported for " + m.id()
                    + " (yet): omit it, and the install is for the server's own platform");
        }
        if (m != Manager.NPM) {
            return null;
        }
        String npm = v.byName().get("npm");
        if (!Versions.atLeast(npm, p.minimumNpm())) {
            throw new InvalidRequestException("Installing for platform " + p + " needs npm " + p.minimumNpm()
                    + " or later (for --os, --cpu" + (p.libc() == null ? "" : " and --libc") + "); the request names npm " + npm);
        }
        return p;
    }

    @Override
    public void close() {
        StorageDirectory.deleteQuietly(staging);
    }
}
