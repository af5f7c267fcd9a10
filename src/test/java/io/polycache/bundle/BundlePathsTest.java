package io.polycache.bundle;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.polycache.store.Sha256;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BundlePathsTest {
    private static final Sha256 BLOB = new Sha256("0".repeat(64));

    @ParameterizedTest
    @ValueSource(strings = {"node_modules/a/index.js", "node_modules/.bin/x", "package-lock.json"})
    void filesUnderTheRootOrATopLevelLockfileAreAllowed(String path) {
        assertDoesNotThrow(() -> BundlePaths.check("node_modules", IndexEntry.file(path, BLOB, 1, false)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/etc/passwd", "node_modules/../../x", "node_modules/./a", "node_modules//a",
            "src/index.js", "node_modules/a\\..\\..\\x", "vendor/a", "node_modules/a/"})
    void pathsThatCouldLandElsewhereAreRefused(String path) {
        assertThrows(UnsafeEntryException.class, () -> BundlePaths.check("node_modules", IndexEntry.file(path, BLOB, 1, false)));
    }

    @ParameterizedTest
    @CsvSource({"node_modules/.bin/semver,../semver/bin/semver.js", "node_modules/a/b,./c",
            "node_modules/@s/x/lib,../../y/lib"})
    void linksInsideTheRootAreAllowed(String path, String target) {
        assertDoesNotThrow(() -> BundlePaths.check("node_modules", IndexEntry.link(path, target)));
    }

    @ParameterizedTest
    @CsvSource({"node_modules/.bin/x,../../outside", "node_modules/a,/etc/passwd", "node_modules/a,..",
            "node_modules/.bin/x,../../../etc/passwd", "node_modules/a,../../node_modules", "package-lock.json,node_modules/a"})
    void linksLeavingTheRootAreRefused(String path, String target) {
        assertThrows(UnsafeEntryException.class, () -> BundlePaths.check("node_modules", IndexEntry.link(path, target)));
    }
}
