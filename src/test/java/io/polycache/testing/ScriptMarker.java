package io.polycache.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A package, {@code script-marker@1.0.0}, as a local tarball whose every install script
 * ({@code preinstall}, {@code install}, {@code postinstall}) would, if it ran, write its name into
 * a marker file and leave a {@code ran-<script>} file in the package's directory: the dependency
 * cache's installs must run none of them.
 */
public final class ScriptMarker {
    private ScriptMarker() {
    }

    /** Writes {@code script-marker-1.0.0.tgz} into {@code dir}; its scripts would write {@code marker}. */
    public static Path tarball(Path dir, Path marker) throws IOException {
        String write = "node -e \\\"require('fs').writeFileSync('ran-%1$s','');require('fs').writeFileSync('"
                + marker + "','%1$s')\\\"";
        String packageJson = "{\"name\":\"script-marker\",\"version\":\"1.0.0\",\"scripts\":{"
                + "\"preinstall\":\"" + String.format(write, "preinstall") + "\","
                + "\"install\":\"" + String.format(write, "install") + "\","
                + "\"postinstall\":\"" + String.format(write, "postinstall") + "\"}}";
        Path tarball = dir.resolve("script-marker-1.0.0.tgz");
        byte[] content = packageJson.getBytes(StandardCharsets.UTF_8);
        try (OutputStream file = Files.newOutputStream(tarball);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(file))) {
            TarArchiveEntry entry = new TarArchiveEntry("package/package.json");
            entry.setSize(content.length);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        return tarball;
    }
}
