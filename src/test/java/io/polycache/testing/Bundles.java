package io.polycache.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Reads a downloaded bundle's entries without unpacking it. */
public final class Bundles {
    private Bundles() {}

    /** Entry name → content as text, for every file entry. */
    public static Map<String, String> entries(Path zip) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (ZipFile file = new ZipFile(zip.toFile())) {
            for (ZipEntry entry : java.util.Collections.list(file.entries())) {
                if (!entry.isDirectory()) {
                    entries.put(entry.getName(), new String(file.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        return entries;
    }
}
