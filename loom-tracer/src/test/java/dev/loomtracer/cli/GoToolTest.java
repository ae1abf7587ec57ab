package dev.loomtracer.cli;

import dev.loomtracer.judge.GoBinary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The "open it with" hint (issue 10, item 6): it names a go that exists here, even when
 * {@code go} is not on the PATH, and says that profile graphs need Graphviz.
 */
class GoToolTest {
    @TempDir
    Path dir;

    /** An executable {@code name} in {@code dir} that answers {@code version} with {@code version}. */
    private Path executable(Path dir, String name, String version) throws Exception {
        Files.createDirectories(dir);
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\necho 'go version " + version + " linux/amd64'\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @Test
    void withoutGoOnThePathTheHintNamesAGoThatExists() throws Exception {
        Path go = executable(dir, "my-go", "go1.23.4");
        String hint = GoTool.openHint(Path.of("app.trace"), Map.of("PATH", "/nonexistent", "LOOMTRACE_GO", go.toString()));
        assertTrue(hint.startsWith("Open it with:  " + go + " tool trace app.trace"), hint);
        assertTrue(hint.contains("Graphviz") && hint.contains("not found"), hint);

        String bare = GoTool.openHint(Path.of("app.trace"), Map.of("PATH", "/nonexistent"));
        if (Files.isExecutable(GoBinary.DEBIAN_GO)) {
            assertTrue(bare.startsWith("Open it with:  " + GoBinary.DEBIAN_GO + " tool trace app.trace"), bare);
        } else {
            assertTrue(bare.contains("scripts/ensure-go.sh"), bare);
        }
        assertFalse(bare.startsWith("Open it with:  go tool trace"), "go is not on this PATH: " + bare);
    }

    @Test
    void goAndDotOnThePathAreUsedAsIs() throws Exception {
        executable(dir, "go", "go1.23.4");
        executable(dir, "dot", "");
        String hint = GoTool.openHint(Path.of("x.trace"), Map.of("PATH", dir.toString()));
        assertEquals("Open it with:  go tool trace x.trace\n(the web UI's profile graphs use Graphviz, found on the PATH)", hint);
    }

    @Test
    void aGoOlderThan123OnThePathIsNotNamedAndABadLoomtraceGoIsNotPassedOver() throws Exception {
        Path old = dir.resolve("old");
        executable(old, "go", "go1.19.8");
        assertTrue(GoBinary.find(Map.of("PATH", old.toString())).go().map(p -> !p.startsWith(old)).orElse(true),
                "a go 1.19 cannot read a go 1.23 trace");
        assertFalse(GoTool.openHint(Path.of("x.trace"), Map.of("PATH", old.toString())).startsWith("Open it with:  go tool"));

        Path fresh = dir.resolve("fresh");
        executable(fresh, "go", "go1.24.1");
        GoBinary.Lookup bad = GoBinary.find(Map.of("PATH", fresh.toString(), "LOOMTRACE_GO", old.resolve("go").toString()));
        assertTrue(bad.go().isEmpty(), "an explicit $LOOMTRACE_GO is never passed over for the PATH's go");
        assertTrue(bad.problem().contains("not Go >= 1.23") && bad.problem().contains("go1.19.8"), bad.problem());
    }
}
