package io.polycache.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The keys in force: the fixed list from configuration plus the key file, which is re-read
 * when it changes (checked at most every {@link #CHECK_INTERVAL_NANOS}, on the request path, so
 * no thread is needed). A file that turns malformed keeps the previous keys in force and is
 * reported; a missing file means no keys from it.
 */
public final class KeyRegistry {
    private static final Logger LOG = Logger.getLogger(KeyRegistry.class.getName());
    static final long CHECK_INTERVAL_NANOS = 2_000_000_000L;

    private final List<ApiKeys.Entry> fixed;
    private final Path file;
    private final AtomicLong nextCheck = new AtomicLong();
    private volatile Object fileVersion;
    private volatile ApiKeys current;

    private KeyRegistry(List<ApiKeys.Entry> fixed, Path file) {
        this.fixed = fixed;
        this.file = file;
    }

    /**
     * Loads the keys once, strictly: a malformed entry or an unreadable file refuses start-up.
     *
     * @param file the key file, or null
     * @param list keys given directly, each in the key file's line format
     */
    public static KeyRegistry load(Path file, List<String> list) throws KeyFileException {
        List<ApiKeys.Entry> fixed = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String where = "polycache.apiKeys entry " + (i + 1);
            if (list.get(i).toLowerCase(java.util.Locale.ROOT).contains(KeyParser.TEAMS)) {
                // The list is split at commas, which would cut a team list into keys.
                throw new KeyFileException(where + ": team lists (teams=) go in polycache.apiKeysFile, not in the"
                        + " comma-separated polycache.apiKeys");
            }
            ApiKeys.Entry entry = KeyParser.parseEntry(list.get(i), where);
            if (entry != null) {
                fixed.add(entry);
            }
        }
        KeyRegistry registry = new KeyRegistry(List.copyOf(fixed), file);
        if (file != null) {
            if (!Files.isReadable(file)) {
                throw new KeyFileException("API key file " + file + " does not exist or is not readable");
            }
            registry.reload(versionOf(file));
        } else {
            registry.current = new ApiKeys(fixed);
        }
        registry.nextCheck.set(System.nanoTime() + CHECK_INTERVAL_NANOS);
        return registry;
    }

    /** The keys in force now; re-reads the key file first if it changed. */
    public ApiKeys keys() {
        long now = System.nanoTime();
        long due = nextCheck.get();
        if (file != null && now - due >= 0 && nextCheck.compareAndSet(due, now + CHECK_INTERVAL_NANOS)) {
            Object version = versionOf(file);
            if (!Objects.equals(version, fileVersion)) {
                try {
                    reload(version);
                    LOG.info("API key file " + file + " reloaded: " + describe());
                } catch (KeyFileException e) {
                    fileVersion = version; // report once per change, not on every check
                    LOG.warning(e.getMessage() + "; keeping the previous keys");
                }
            }
        }
        return current;
    }

    /** "3 keys, of which 1 read-only". */
    public String describe() {
        ApiKeys keys = current;
        return keys.size() + (keys.size() == 1 ? " key" : " keys") + ", of which " + keys.readOnlyCount() + " read-only";
    }

    private void reload(Object version) throws KeyFileException {
        List<ApiKeys.Entry> entries = new ArrayList<>(fixed);
        if (version != null) {
            try {
                entries.addAll(KeyParser.parseLines(Files.readAllLines(file, StandardCharsets.UTF_8),
                        "API key file " + file));
            } catch (IOException e) {
                throw new KeyFileException("API key file " + file + " could not be read: " + e.getMessage());
            }
        }
        current = new ApiKeys(entries);
        fileVersion = version;
    }

    /** Identity of the file's content as far as stat tells: replaced, touched or resized. */
    private static Object versionOf(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return List.of(String.valueOf(attributes.fileKey()), attributes.lastModifiedTime(), attributes.size());
        } catch (IOException e) {
            return null;
        }
    }
}
