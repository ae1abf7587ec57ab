package dev.loomtracer.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.jfr.cli.ToJfr;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** The to-jfr command: exit codes, messages for bad input, and the output file. */
class ToJfrCliTest {
    @TempDir
    static Path dir;
    static Path trace;

    record Out(int exit, String out, String err) {}

    static Out run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = ToJfr.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Out(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @BeforeAll
    static void trace() throws Exception {
        trace = dir.resolve("cli.trace");
        SimulatedTrace.write(trace, 4, 4);
    }

    @Test
    void convertsWithSummaryAndAnalysis() throws Exception {
        Path jfr = dir.resolve("cli.jfr");
        Out r = run(trace.toString(), "-o", jfr.toString(), "--quiet", "--analyze");
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.size(jfr) > 0);
        assertTrue(r.out().contains("dev.loomtracer.VirtualThreadPark"), r.out());
        assertTrue(r.out().contains("longest park:"), r.out());
        assertTrue(r.out().contains("longest pinned:"), r.out());
        assertTrue(r.out().contains("JMC automated analysis:"), r.out());
        assertTrue(r.out().contains("Longest Virtual Thread Park: The longest virtual thread park lasted"), r.out());
        assertFalse(r.out().contains("ERROR"), r.out());
    }

    @Test
    void defaultOutputNameReplacesTheExtension() throws Exception {
        Path copy = dir.resolve("named.trace");
        Files.copy(trace, copy);
        Out r = run(copy.toString(), "-q");
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.exists(dir.resolve("named.jfr")));
    }

    @Test
    void withoutOutputOptionAnExistingFileIsNeverReplaced() throws Exception {
        Path copy = dir.resolve("kept.trace");
        Files.copy(trace, copy);
        Path existing = dir.resolve("kept.jfr");
        Files.writeString(existing, "someone's recording");
        Out r = run(copy.toString(), "-q");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("already exists") && r.err().contains("-o"), r.err());
        assertEquals("someone's recording", Files.readString(existing));
        Out replaced = run(copy.toString(), "-q", "-o", existing.toString());
        assertEquals(0, replaced.exit(), replaced.err());
        assertTrue(Files.size(existing) > 100, "an explicit -o replaces it");
    }

    @Test
    void usageErrorsExit2() {
        assertEquals(2, run().exit());
        assertEquals(2, run("--bogus", trace.toString()).exit());
        assertEquals(2, run(trace.toString(), "-o").exit());
        assertEquals(2, run(trace.toString(), "--start", "yesterday").exit());
        Out missing = run(dir.resolve("nope.trace").toString());
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("cannot read"), missing.err());
        assertEquals(0, run("--help").exit());
    }

    @Test
    void notATraceExits1() throws Exception {
        Path junk = dir.resolve("junk.trace");
        Files.writeString(junk, "this is not a trace at all, just text\n");
        Path out = dir.resolve("junk.jfr");
        Out r = run(junk.toString(), "-o", out.toString(), "-q");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("not a Go execution trace"), r.err());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void truncatedTraceExits1NamingOffsetAndGeneration() throws Exception {
        byte[] all = Files.readAllBytes(trace);
        Path cut = dir.resolve("cut.trace");
        Files.write(cut, Arrays.copyOf(all, all.length - 7));
        Path out = dir.resolve("cut.jfr");
        Out r = run(cut.toString(), "-o", out.toString(), "-q");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().matches("(?s).*at byte \\d+.*generation \\d+.*"), r.err());
        assertTrue(r.err().contains("--partial"), r.err());
        assertFalse(Files.exists(out), "nothing written");
        Out partial = run(cut.toString(), "-o", out.toString(), "-q", "--partial");
        assertEquals(0, partial.exit(), partial.err());
        assertTrue(partial.err().contains("warning"), partial.err());
        assertTrue(Files.size(out) > 0);
    }

    @Test
    void corruptedEventExits1NamingOffsetAndGeneration() throws Exception {
        byte[] all = Files.readAllBytes(trace);
        // Flip the first event of the first batch (right after the 16-byte header and the batch header).
        byte[] bad = all.clone();
        // Walk the first batch header: kind byte, then gen, M, timestamp, size (uvarints).
        int p = 17;
        for (int i = 0; i < 4; i++) {
            while ((bad[p] & 0x80) != 0) {
                p++;
            }
            p++;
        }
        bad[p] = (byte) 0x63; // not an event type
        Path broken = dir.resolve("broken.trace");
        Files.write(broken, bad);
        Out r = run(broken.toString(), "-o", dir.resolve("broken.jfr").toString(), "-q");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("invalid trace"), r.err());
        assertTrue(r.err().matches("(?s).*byte \\d+.*"), r.err());
        assertTrue(r.err().contains("generation 1"), r.err());
    }
}
