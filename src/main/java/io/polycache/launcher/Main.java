package io.polycache.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Entry point of {@code java -jar polycache.war}. Uses the JDK only: it copies the embedded
 * Tomcat jars out of {@code WEB-INF/launcher/} (a folder a hosting Tomcat never loads), builds a
 * class loader over them and the WAR root, and hands over to {@link Launcher}.
 */
public final class Main {
    static final String LAUNCHER_LIB = "WEB-INF/launcher/";

    private Main() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("java.util.logging.SimpleFormatter.format",
                "%1$tF %1$tT %4$s [%3$s] %5$s%6$s%n");
        Path war = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (Files.isDirectory(war)) {
            throw new IllegalStateException("run the packaged WAR: java -jar target/polycache.war");
        }
        Path libs = TempDirs.create("polycache-launcher-");
        List<URL> urls = new ArrayList<>();
        urls.add(war.toUri().toURL());
        for (Path jar : extractLauncherLibs(war, libs)) {
            urls.add(jar.toUri().toURL());
        }
        ClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
        Thread.currentThread().setContextClassLoader(loader);
        Class<?> launcher = loader.loadClass("io.polycache.launcher.Launcher");
        int status = (int) launcher.getMethod("run", String[].class, Path.class, Path.class)
                .invoke(null, args, war, libs);
        if (status != 0) {
            System.exit(status);
        }
    }

    private static List<Path> extractLauncherLibs(Path war, Path into) throws IOException {
        List<Path> jars = new ArrayList<>();
        try (JarFile file = new JarFile(war.toFile())) {
            Enumeration<JarEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                String name = entry.getName();
                if (name.startsWith(LAUNCHER_LIB) && name.endsWith(".jar") && name.indexOf('/', LAUNCHER_LIB.length()) < 0) {
                    Path target = into.resolve(name.substring(LAUNCHER_LIB.length()));
                    try (InputStream in = file.getInputStream(entry)) {
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                    target.toFile().deleteOnExit();
                    jars.add(target);
                }
            }
        }
        into.toFile().deleteOnExit();
        if (jars.isEmpty()) {
            throw new IOException(war + " holds no " + LAUNCHER_LIB + "*.jar: not a Polycache WAR");
        }
        return jars;
    }
}
