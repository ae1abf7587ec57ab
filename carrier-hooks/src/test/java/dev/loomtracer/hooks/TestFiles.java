package dev.loomtracer.hooks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Traces the tests write stay in target/test-traces/ for inspection (go tool trace FILE). */
final class TestFiles {
    private TestFiles() {}

    static Path dir(String name) {
        Path d = Path.of("target", "test-traces", name).toAbsolutePath();
        try {
            return Files.createDirectories(d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
