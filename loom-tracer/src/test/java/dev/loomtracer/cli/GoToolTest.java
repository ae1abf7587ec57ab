package dev.loomtracer.cli;

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

    private Path executable(String name) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @Test
    void withoutGoOnThePathTheHintNamesAGoThatExists() throws Exception {
        Path go = executable("my-go");
        String hint = GoTool.openHint(Path.of("app.trace"), Map.of("PATH", "/nonexistent", "LOOMTRACE_GO", go.toString()));
        assertTrue(hint.startsWith("Open it with:  " + go + " tool trace app.trace"), hint);
        assertTrue(hint.contains("Graphviz") && hint.contains("not found"), hint);

        String bare = GoTool.openHint(Path.of("app.trace"), Map.of("PATH", "/nonexistent"));
        if (Files.isExecutable(GoTool.DEBIAN_GO)) {
            assertTrue(bare.startsWith("Open it with:  " + GoTool.DEBIAN_GO + " tool trace app.trace"), bare);
        } else {
            assertTrue(bare.contains("scripts/ensure-go.sh"), bare);
        }
        assertFalse(bare.startsWith("Open it with:  go tool trace"), "go is not on this PATH: " + bare);
    }

    @Test
    void goAndDotOnThePathAreUsedAsIs() throws Exception {
        executable("go");
        executable("dot");
        String hint = GoTool.openHint(Path.of("x.trace"), Map.of("PATH", dir.toString()));
        assertEquals("Open it with:  go tool trace x.trace\n(the web UI's profile graphs use Graphviz, found on the PATH)", hint);
    }
}
