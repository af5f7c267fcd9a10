package io.polycache.deps;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a failed install's 422 shows of its output: the lines npm or composer mark as errors
 * (the cause comes first, so the first of them), then the last lines, bounded in size either
 * way. The tail alone is not enough: an out-of-sync lockfile's {@code npm ci} prints the cause
 * ({@code Missing: left-pad@1.3.0 from lock file}) and then dozens of lines of usage text.
 * Lines pointing to a file on the server (npm's debug log) are left out, and the install
 * directory reads as {@code .}: the client can open neither.
 */
final class FailureLog {
    static final int MARKED_LINES = 30;
    static final int TAIL_LINES = 40;
    static final int MAX_LINE = 512;
    static final int MAX_PART_CHARS = 6 * 1024;

    /** npm's error lines with something on them (npm 6 to 9: "npm ERR!", 10 and later: "npm error"). */
    private static final Pattern NPM_ERROR = Pattern.compile("^npm (ERR!|error)\\s+\\S.*");
    /** composer's problem report and exception headers. */
    private static final Pattern COMPOSER_PROBLEM = Pattern.compile(
            "^\\s*Problem \\d+\\s*$|^ {4}- .*|.*Your requirements could not be resolved.*"
                    + "|.*Your lock file does not contain a compatible set of packages.*"
                    + "|.*lock file is not up to date.*|^\\s*\\[[A-Za-z\\\\]+(Exception|Error)\\]\\s*$");
    private static final Pattern SERVER_LOG = Pattern.compile(".*(complete log of this run|/_logs/\\S*debug).*");

    private FailureLog() {}

    private record Line(long number, String text) {}

    /**
     * @param log       the install's combined output
     * @param installDir the workspace, whose {@code project/} becomes {@code .} in the text
     */
    static String read(Path log, Path installDir) throws IOException {
        String project = installDir.resolve("project").toString();
        String workspace = installDir.toString();
        List<Line> marked = new ArrayList<>();
        int markedChars = 0;
        Deque<Line> tail = new ArrayDeque<>();
        long number = 0;
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(Files.newInputStream(log), StandardCharsets.UTF_8))) {
            for (String raw = reader.readLine(); raw != null; raw = reader.readLine()) {
                number++;
                if (SERVER_LOG.matcher(raw).matches()) {
                    continue;
                }
                String text = raw.replace(project, ".").replace(workspace, "<install>");
                if (text.length() > MAX_LINE) {
                    text = text.substring(0, MAX_LINE) + "…";
                }
                Line line = new Line(number, text);
                if (marked.size() < MARKED_LINES && markedChars + text.length() <= MAX_PART_CHARS
                        && (NPM_ERROR.matcher(text).matches() || COMPOSER_PROBLEM.matcher(text).matches())) {
                    marked.add(line);
                    markedChars += text.length() + 1;
                }
                tail.addLast(line);
                if (tail.size() > TAIL_LINES) {
                    tail.removeFirst();
                }
            }
        }
        while (tail.size() > 1 && tail.stream().mapToInt(l -> l.text().length() + 1).sum() > MAX_PART_CHARS) {
            tail.removeFirst();
        }
        long tailStart = tail.isEmpty() ? Long.MAX_VALUE : tail.getFirst().number();
        List<String> out = new ArrayList<>();
        long last = 0;
        for (Line line : marked) {
            if (line.number() < tailStart) {
                out.add(line.text());
                last = line.number();
            }
        }
        if (!out.isEmpty() && tailStart > last + 1) {
            out.add("[…]");
        }
        tail.forEach(line -> out.add(line.text()));
        return String.join("\n", out);
    }
}
