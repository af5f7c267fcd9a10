package io.polycache.deps;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The platform a CI runner will use a bundle on, in npm's own vocabulary: {@code os} is a
 * {@code process.platform}, {@code cpu} a {@code process.arch}, {@code libc} {@code glibc} or
 * {@code musl} (Linux only, and required there: npm would otherwise take the server's). An npm
 * install for it gets {@code --os}, {@code --cpu} and {@code --libc}, so optional dependencies
 * such as {@code @esbuild/linux-arm64} are chosen for the runner, not for the server.
 *
 * @param libc null for every os but linux
 */
public record RunnerPlatform(String os, String cpu, String libc) {
    static final Set<String> OSES = Set.of("aix", "android", "cygwin", "darwin", "freebsd", "haiku", "linux",
            "netbsd", "openbsd", "sunos", "win32");
    static final Set<String> CPUS = Set.of("arm", "arm64", "ia32", "loong64", "mips", "mipsel", "ppc", "ppc64",
            "riscv64", "s390", "s390x", "x64");
    static final Set<String> LIBCS = Set.of("glibc", "musl");

    /** npm 10.1.0 added {@code --os} and {@code --cpu}; 10.3.0 added {@code --libc}. */
    static final String NPM_FOR_OS_CPU = "10.1.0";
    static final String NPM_FOR_LIBC = "10.3.0";

    /**
     * Checks a request's {@code platform} member.
     *
     * @throws InvalidRequestException naming the missing, unknown or misplaced member
     */
    static RunnerPlatform validate(Map<String, String> given) {
        for (String name : given.keySet()) {
            if (!List.of("os", "cpu", "libc").contains(name)) {
                throw new InvalidRequestException("Unexpected member '" + name + "' in 'platform' (expected os, cpu and libc)");
            }
        }
        String os = required(given, "os", OSES);
        String cpu = required(given, "cpu", CPUS);
        String libc = given.get("libc");
        if (os.equals("linux")) {
            libc = required(given, "libc", LIBCS);
        } else if (libc != null) {
            throw new InvalidRequestException("Platform member 'libc' applies to linux only (got os '" + os + "')");
        }
        return new RunnerPlatform(os, cpu, libc);
    }

    private static String required(Map<String, String> given, String name, Set<String> allowed) {
        String value = given.get(name);
        if (value == null) {
            throw new InvalidRequestException("Missing platform member '" + name + "' (one of " + sorted(allowed) + ")");
        }
        if (!allowed.contains(value)) {
            throw new InvalidRequestException("Unsupported platform " + name + " '" + value + "' (one of " + sorted(allowed) + ")");
        }
        return value;
    }

    private static String sorted(Set<String> values) {
        return String.join(", ", values.stream().sorted().toList());
    }

    /** The oldest npm that can install for this platform. */
    String minimumNpm() {
        return libc == null ? NPM_FOR_OS_CPU : NPM_FOR_LIBC;
    }

    /** What the bundle hash takes: {@code linux-arm64-musl}, {@code darwin-arm64}. */
    String hashText() {
        return libc == null ? os + "-" + cpu : os + "-" + cpu + "-" + libc;
    }

    /** npm's arguments for it. */
    List<String> npmArgs() {
        List<String> args = new ArrayList<>(List.of("--os=" + os, "--cpu=" + cpu));
        if (libc != null) {
            args.add("--libc=" + libc);
        }
        return args;
    }

    @Override
    public String toString() {
        return hashText();
    }
}
