package dev.loomtracer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit codes and messages of {@code validate} and {@code summary}. */
class ValidateSummaryCliTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    static Run run(boolean validate, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        int code = validate ? Validate.run(args, o, e) : Summary.run(args, o, e);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Path fixture(String name) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/go-traces/" + name)) {
            Path p = dir.resolve(name);
            Files.write(p, in.readAllBytes());
            return p;
        }
    }

    @Test
    void validTraceExitsZeroWithOneLine() throws IOException {
        Run r = run(true, fixture("basic.trace").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().strip().lines().count(), r.out());
        assertTrue(r.out().contains("valid go 1.23 trace: 4 generation(s), "), r.out());
        assertTrue(r.err().isEmpty());
    }

    @Test
    void truncatedTraceExitsOneNamingOffsetAndGeneration() throws IOException {
        byte[] full = Files.readAllBytes(fixture("basic.trace"));
        Path cut = dir.resolve("cut.trace");
        Files.write(cut, Arrays.copyOf(full, full.length - 100));
        Run r = run(true, cut.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("trace truncated at byte " + (full.length - 100) + " in generation "), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void garbageExitsOneWithoutStackTrace() throws IOException {
        Path junk = dir.resolve("junk.trace");
        Files.writeString(junk, "this is not a trace\n".repeat(10));
        Run r = run(true, junk.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("not a Go execution trace"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void usageAndUnreadableFilesExitTwo() {
        assertEquals(2, run(true).code());
        assertEquals(2, run(true, "a", "b").code());
        Run missing = run(true, dir.resolve("nope.trace").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("cannot read"), missing.err());
        assertEquals(2, run(false).code());
        assertEquals(2, run(false, dir.toString()).code());
    }

    @Test
    void summaryPrintsTypesBlockReasonsAndGoroutines() throws IOException {
        Run r = run(false, fixture("basic.trace").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("events by type:"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("\\s+GoBlock\\s+\\d+")), r.out());
        assertTrue(r.out().contains("block reasons (GoBlock):"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("\\s+chan receive\\s+\\d+")), r.out());
        assertTrue(r.out().contains("goroutines: "), r.out());
    }

    @Test
    void summaryOfAnInvalidTracePrintsWhatCameBeforeAndExitsOne() throws IOException {
        byte[] full = Files.readAllBytes(fixture("basic.trace"));
        Path cut = dir.resolve("cut.trace");
        Files.write(cut, Arrays.copyOf(full, full.length - 100));
        Run r = run(false, cut.toString());
        assertEquals(1, r.code());
        assertTrue(r.out().contains("events by type:"), r.out());
        assertTrue(r.err().contains("trace truncated at byte"), r.err());
    }
}
