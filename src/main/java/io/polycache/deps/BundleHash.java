package io.polycache.deps;

import io.polycache.store.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;

/**
 * The name of a bundle, computed by the server with the DepCacheProxy server's algorithm so that
 * the same inputs give the same name on either: SHA-256 over {@code manager NUL}, then
 * {@code name:version NUL} for each of node, npm, pnpm, yarn, php that is given, then {@code name NUL content
 * NUL} for each file sorted by name, then {@code args:<args joined by a space> NUL} when there
 * are custom arguments. Polycache adds one field of its own, last and only when the request names
 * a platform: {@code platform:<os>-<cpu>[-<libc>] NUL}; without it the name is DepCacheProxy's.
 */
public final class BundleHash {
    private static final String[] VERSION_ORDER = {"node", "npm", "pnpm", "yarn", "php"};

    private BundleHash() {}

    public static Sha256 of(InstallRequest request) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        field(digest, request.manager().id());
        Map<String, String> versions = request.versions().byName();
        for (String name : VERSION_ORDER) {
            if (versions.containsKey(name)) {
                field(digest, name + ":" + versions.get(name));
            }
        }
        for (Map.Entry<String, Path> file : request.files().entrySet()) {
            field(digest, file.getKey());
            try (InputStream in = Files.newInputStream(file.getValue())) {
                byte[] buffer = new byte[16 * 1024];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    digest.update(buffer, 0, n);
                }
            }
            digest.update((byte) 0);
        }
        if (!request.customArgs().isEmpty()) {
            field(digest, "args:" + String.join(" ", request.customArgs()));
        }
        if (request.platform() != null) {
            field(digest, "platform:" + request.platform().hashText());
        }
        return Sha256.of(digest);
    }

    private static void field(MessageDigest digest, String text) {
        digest.update(text.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
    }
}
