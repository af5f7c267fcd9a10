package io.polycache.deps;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of a Yarn 2+ project's {@code .yarnrc.yml} that an install may honour, and the
 * linker they select.
 *
 * <p>Only a flat file of {@code name: value} lines is read (comments and blank lines aside);
 * each setting must be on the allow-list below, with a value it accepts. Settings that could
 * reach a registry, carry credentials, load code (plugins) or move the install's output out of
 * the layout Polycache bundles are refused by name. The install does not see the sent file: it
 * gets one written from the accepted settings that change its result ({@link #write}), so
 * nothing unvetted reaches Yarn.
 *
 * <p>The linker: a request without {@code .yarnrc.yml} installs {@code node-modules}, as it
 * always did; a request with one follows Yarn 2+'s own rule, {@code pnp} unless the file sets
 * {@code nodeLinker}.
 */
public record YarnConfig(boolean plugNPlay, Map<String, String> settings) {
    public static final String FILE_NAME = ".yarnrc.yml";
    /** Where a Plug'n'Play install keeps its cache, unplugged packages and install state. */
    public static final String PNP_ROOT = ".yarn";
    /** The Plug'n'Play files a Plug'n'Play install writes beside package.json (those present are bundled). */
    public static final List<String> PNP_FILES = List.of(".pnp.cjs", ".pnp.js", ".pnp.loader.mjs", ".pnp.data.json");

    private static final int MAX_LINES = 500;
    private static final Set<String> BOOLEAN = Set.of("true", "false");

    /** Settings that change the install, with the values each accepts. */
    private static final Map<String, Set<String>> EFFECTIVE = new TreeMap<>(Map.ofEntries(
            Map.entry("nodeLinker", Set.of("pnp", "node-modules")),
            Map.entry("pnpMode", Set.of("strict", "loose")),
            Map.entry("pnpFallbackMode", Set.of("none", "dependencies-only", "all")),
            Map.entry("pnpEnableEsmLoader", BOOLEAN),
            Map.entry("pnpEnableInlining", BOOLEAN),
            Map.entry("compressionLevel", Set.of("mixed", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9")),
            Map.entry("nmHoistingLimits", Set.of("none", "workspaces", "dependencies")),
            Map.entry("nmSelfReferences", BOOLEAN),
            Map.entry("nmMode", Set.of("classic", "hardlinks-local")),
            // Accepted only as what Polycache does anyway.
            Map.entry("enableScripts", Set.of("false")),
            Map.entry("checksumBehavior", Set.of("throw"))));

    /**
     * Settings accepted and left out: the server sets them itself (the release that runs, the
     * caches, immutability) or they only change how Yarn talks to a terminal.
     */
    private static final Set<String> DROPPED = Set.of("yarnPath", "enableGlobalCache", "enableMirror",
            "enableImmutableInstalls", "enableImmutableCache", "enableTelemetry", "enableProgressBars",
            "enableColors", "enableHyperlinks", "enableInlineBuilds", "enableMessageNames", "enableTimers",
            "defaultSemverRangePrefix", "preferInteractive");

    /** Refused with a reason of their own: they reach the network, carry secrets or run code. */
    private static final Pattern NETWORK = Pattern.compile(
            "npm.*|http.*|https.*|caFilePath|enableStrictSsl|networkSettings|networkConcurrency|unsafeHttpWhitelist"
                    + "|enableNetwork|enableOfflineMode|plugins|injectEnvironmentFiles|packageExtensions|supportedArchitectures"
                    + "|cacheFolder|globalFolder|installStatePath|pnpDataPath|pnpUnpluggedFolder|virtualFolder"
                    + "|.*Path|.*Folder");

    private static final Pattern SETTING = Pattern.compile("([A-Za-z][A-Za-z0-9]*)[ \\t]*:(.*)");
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._-]+");

    /** A request without {@code .yarnrc.yml}: the node-modules linker, nothing else. */
    public static final YarnConfig ABSENT = new YarnConfig(false, Map.of());

    public YarnConfig {
        settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /**
     * Reads a sent {@code .yarnrc.yml}.
     *
     * @throws InvalidRequestException naming the first setting that is refused, or the first
     *                                 line that is not a flat {@code name: value} setting
     */
    public static YarnConfig read(Path file) throws IOException {
        Map<String, String> settings = new TreeMap<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                if (++number > MAX_LINES) {
                    throw new InvalidRequestException(FILE_NAME + " has more than " + MAX_LINES + " lines");
                }
                if (number == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                Matcher setting = SETTING.matcher(line);
                if (!setting.matches()) {
                    // An indented line belongs to a nested value: the setting above has been refused already.
                    throw new InvalidRequestException(FILE_NAME + " line " + number
                            + ": only top-level 'name: value' settings are accepted, not '" + shorten(trimmed) + "'");
                }
                String name = setting.group(1);
                checkName(name);
                String value = scalar(name, setting.group(2));
                if (!DROPPED.contains(name)) {
                    Set<String> accepted = EFFECTIVE.get(name);
                    if (!accepted.contains(value)) {
                        throw new InvalidRequestException("Setting '" + name + ": " + shorten(value) + "' in " + FILE_NAME
                                + " is not supported (accepted: " + String.join(", ", accepted.stream().sorted().toList()) + ")"
                                + (name.equals("enableScripts") ? ": install scripts never run" : ""));
                    }
                    if (settings.put(name, value) != null) {
                        throw new InvalidRequestException("Setting '" + name + "' appears twice in " + FILE_NAME);
                    }
                }
            }
        } catch (CharacterCodingException e) {
            throw new InvalidRequestException(FILE_NAME + " is not UTF-8 text");
        }
        boolean pnp = !"node-modules".equals(settings.get("nodeLinker"));
        return new YarnConfig(pnp, settings);
    }

    private static void checkName(String name) {
        if (EFFECTIVE.containsKey(name) || DROPPED.contains(name)) {
            return;
        }
        String accepted = String.join(", ", EFFECTIVE.keySet()) + " and, without effect, "
                + String.join(", ", DROPPED.stream().sorted().toList());
        if (NETWORK.matcher(name).matches()) {
            throw new InvalidRequestException("Setting '" + name + "' in " + FILE_NAME + " is not accepted: registry, network,"
                    + " credential, plugin and folder settings never are (accepted: " + accepted + ")");
        }
        throw new InvalidRequestException("Setting '" + name + "' in " + FILE_NAME + " is not accepted (accepted: "
                + accepted + ")");
    }

    /** A single plain or quoted value; a nested block, list, flow collection, anchor or tag is refused. */
    private static String scalar(String name, String raw) {
        String value = raw.strip();
        if (value.startsWith("\"") || value.startsWith("'")) {
            char quote = value.charAt(0);
            int end = value.indexOf(quote, 1);
            if (end > 0) {
                String rest = value.substring(end + 1).strip();
                if (rest.isEmpty() || rest.startsWith("#")) {
                    return value.substring(1, end);
                }
            }
        } else {
            int comment = value.indexOf(" #");
            String plain = (comment >= 0 ? value.substring(0, comment) : value).strip();
            if (PLAIN.matcher(plain).matches()) {
                return plain;
            }
            if (plain.isEmpty()) {
                throw new InvalidRequestException("Setting '" + name + "' in " + FILE_NAME
                        + " must be a single value on its line (nested values are not accepted)");
            }
            if (DROPPED.contains(name) && !plain.startsWith("&") && !plain.startsWith("*") && !plain.startsWith("!")
                    && !plain.startsWith("{") && !plain.startsWith("[") && !plain.startsWith("|") && !plain.startsWith(">")) {
                return plain; // a path such as yarnPath's, never used
            }
        }
        throw new InvalidRequestException("Setting '" + name + "' in " + FILE_NAME + " has a value that is not accepted: "
                + shorten(value));
    }

    private static String shorten(String text) {
        return text.length() > 80 ? text.substring(0, 80) + "…" : text;
    }

    /** The directory the install fills and every bundle entry but the top-level files lies under. */
    public String root() {
        return plugNPlay ? PNP_ROOT : Manager.YARN.outputDir();
    }

    /** Writes the {@code .yarnrc.yml} the install reads: the accepted settings that change it. */
    public void write(Path file) throws IOException {
        StringBuilder text = new StringBuilder("# written by Polycache from the accepted settings of the request\n");
        settings.forEach((name, value) -> text.append(name).append(": ").append(value).append('\n'));
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
