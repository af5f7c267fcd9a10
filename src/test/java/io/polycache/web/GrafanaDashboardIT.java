package io.polycache.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polycache.testing.DepsClient;
import io.polycache.testing.HostToolchain;
import io.polycache.testing.PolykitArtifact;
import io.polycache.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/grafana/polycache.json asks Prometheus only for series the server really exposes: every
 * metric and label its queries name is in a real scrape, taken after each kind of request the
 * dashboard charts (artifacts stored, hit, missed and refused; one dependency install and its
 * bundle download).
 */
class GrafanaDashboardIT {
    private static final Path DASHBOARD = Path.of("docs", "grafana", "polycache.json");
    private static final Pattern METRIC = Pattern.compile("\\b((?:polycache|jvm|tomcat)_[a-z_]+)");
    private static final Pattern GROUPING = Pattern.compile("\\bby \\(([a-z_, ]+)\\)");
    private static final Pattern MATCHER = Pattern.compile("([a-z_]+)=~?\"");

    @TempDir
    Path dir;

    @Test
    void everyQueryNamesSeriesAndLabelsTheServerExposes() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertEquals("polycache", dashboard.path("uid").asText());
        try (TestServer server = TestServer.start(dir.resolve("cache"))) {
            String key = PolykitArtifact.randomKey(64);
            assertEquals(201, server.put("/v1/artifacts/" + key, new PolykitArtifact(key).bytes()).statusCode());
            assertEquals(200, server.get("/v1/artifacts/" + key).statusCode());
            assertEquals(404, server.get("/v1/artifacts/" + PolykitArtifact.randomKey(64)).statusCode());
            assertEquals(422, server.put("/v1/artifacts/" + PolykitArtifact.randomKey(64),
                    "junk".getBytes(StandardCharsets.UTF_8)).statusCode());
            DepsClient deps = new DepsClient(server);
            String answer = deps.postJson(DepsClient.jsonBody("npm", HostToolchain.npmVersions(),
                    Map.of("package.json", "{\"name\":\"empty\",\"version\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8)),
                    null)).body();
            String hash = DepsClient.JSON.readTree(answer).path("hash").asText();
            assertEquals(200, deps.download(hash, dir.resolve("deps.zip")).statusCode(), answer);

            String scrape = server.get("/metrics").body();
            Set<String> exposed = new TreeSet<>();
            Set<String> labels = new TreeSet<>();
            for (String line : scrape.split("\n")) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int brace = line.indexOf('{');
                exposed.add(line.substring(0, brace < 0 ? line.indexOf(' ') : brace));
                Matcher label = Pattern.compile("([a-z_]+)=\"").matcher(brace < 0 ? "" : line.substring(brace));
                while (label.find()) {
                    labels.add(label.group(1));
                }
            }

            int queries = 0;
            for (JsonNode panel : dashboard.path("panels")) {
                for (JsonNode target : panel.path("targets")) {
                    String expr = target.path("expr").asText();
                    queries++;
                    Matcher metric = METRIC.matcher(expr);
                    assertTrue(metric.find(), panel.path("title").asText() + ": no Polycache metric in " + expr);
                    metric.reset();
                    while (metric.find()) {
                        assertTrue(exposed.contains(metric.group(1)), metric.group(1) + " (panel '"
                                + panel.path("title").asText() + "') is not exposed; the scrape has " + exposed);
                    }
                    for (Pattern p : new Pattern[] {GROUPING, MATCHER}) {
                        Matcher m = p.matcher(expr);
                        while (m.find()) {
                            for (String label : m.group(1).split(",\\s*")) {
                                assertTrue(label.equals("instance") || label.equals("le") || labels.contains(label),
                                        "label " + label + " in " + expr + " is not exposed; the scrape has " + labels);
                            }
                        }
                    }
                }
            }
            assertEquals(17, queries, "every panel's queries were checked");
        }
    }
}
