package io.polycache.web.buildcache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polycache.testing.BuildTool;
import io.polycache.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Maven 3.9.11 (unpacked under target/ by the build) with the build cache extension
 * 1.3.0, configured as the README says: keys are required, so the extension's first GET (sent
 * without credentials) is challenged, and Maven retries it with the settings.xml server's.
 */
class MavenBuildCacheIT {
    static final String KEY = "maven-writer-key-1";

    @TempDir
    static Path dir;
    static TestServer server;
    static Path mvn;

    @BeforeAll
    static void start() throws Exception {
        mvn = Path.of(System.getProperty("polycache.it.mavenHome", "target/it-tools/apache-maven-3.9.11"), "bin", "mvn");
        BuildTool.require(mvn.toString(), "the build unpacks it in pre-integration-test: run mvn verify");
        server = TestServer.start(dir.resolve("cache"), Map.of("polycache.apiKeys", KEY));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static BuildTool.Run build(Path project, Path localCache) throws Exception {
        return BuildTool.run(project, Map.of(), 300, List.of("sh", mvn.toString(), "-B", "-Dstyle.color=never",
                "-s", project.resolve("settings.xml").toString(),
                "-Dmaven.build.cache.location=" + localCache, "clean", "verify")).ok();
    }

    @Test
    void aCleanBuildWithAnEmptyLocalCacheIsRestoredFromPolycache() throws Exception {
        Path project = Files.createDirectories(dir.resolve("project"));
        Files.createDirectories(project.resolve(".mvn"));
        Files.writeString(project.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>demo.polycache</groupId>
                  <artifactId>hello</artifactId>
                  <version>1.0</version>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                </project>
                """);
        Path source = Files.createDirectories(project.resolve("src/main/java/demo")).resolve("Hello.java");
        // A unique constant, so the first build is a remote miss.
        Files.writeString(source, "package demo;\npublic class Hello { public static final String ID = \""
                + UUID.randomUUID() + "\"; }\n");
        Files.writeString(project.resolve(".mvn/extensions.xml"), """
                <extensions>
                  <extension>
                    <groupId>org.apache.maven.extensions</groupId>
                    <artifactId>maven-build-cache-extension</artifactId>
                    <version>1.3.0</version>
                  </extension>
                </extensions>
                """);
        Files.writeString(project.resolve(".mvn/maven-build-cache-config.xml"), """
                <cache xmlns="http://maven.apache.org/BUILD-CACHE-CONFIG/1.2.0">
                  <configuration>
                    <enabled>true</enabled>
                    <hashAlgorithm>SHA-256</hashAlgorithm>
                    <remote enabled="true" saveToRemote="true" id="polycache">
                      <url>http://127.0.0.1:%d/maven</url>
                    </remote>
                  </configuration>
                </cache>
                """.formatted(server.port()));
        Files.writeString(project.resolve("settings.xml"), """
                <settings>
                  <servers>
                    <server>
                      <id>polycache</id>
                      <username>ci</username>
                      <password>%s</password>
                    </server>
                  </servers>
                </settings>
                """.formatted(KEY));

        BuildTool.Run cold = build(project, dir.resolve("local-cache-1"));
        assertFalse(cold.output().contains("Found cached build"), cold.output());
        assertTrue(cold.output().contains("Saved to remote cache http://127.0.0.1:" + server.port() + "/maven/v1.2/"
                + "demo.polycache/hello/"), cold.output());
        byte[] jar = Files.readAllBytes(project.resolve("target/hello-1.0.jar"));

        BuildTool.Run warm = build(project, dir.resolve("local-cache-2"));

        assertTrue(warm.output().contains("Found cached build, restoring demo.polycache:hello from cache by checksum"),
                warm.output());
        assertTrue(warm.output().contains("Skipping plugin execution (cached): compiler:compile"), warm.output());
        assertArrayEquals(jar, Files.readAllBytes(project.resolve("target/hello-1.0.jar")));
    }

    @Test
    void aReadWithoutCredentialsIsChallengedWithBasic() throws Exception {
        var get = server.get("/maven/v1.2/demo.polycache/hello/" + "0".repeat(64) + "/buildinfo.xml");
        assertEquals(401, get.statusCode());
        assertEquals("Basic realm=\"polycache\"", get.headers().firstValue("WWW-Authenticate").orElseThrow());
        // The other protocols keep their Bearer challenge.
        assertEquals("Bearer realm=\"polycache\"",
                server.get("/gradle/" + "0".repeat(32)).headers().firstValue("WWW-Authenticate").orElseThrow());
    }
}
