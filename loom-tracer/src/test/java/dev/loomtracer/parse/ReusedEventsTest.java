package dev.loomtracer.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.testing.BigTrace;
import dev.loomtracer.testing.CheckedTrace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A parser that reuses its events ({@link TraceParser#reuseEvents()}) returns exactly the events of
 * a plain parser, in its order, field for field (with stacks), and for a cut
 * trace the same events and then the same error, with the same bytes read. The trace:
 * {@link BigTrace} with stacks, judged by the validator and by Go's parser.
 */
class ReusedEventsTest {
    @TempDir
    Path dir;

    /** Everything an event says, as text (what the parser's consumers can read). */
    private static String describe(TraceEvent e) {
        long[] args = new long[e.argCount()];
        for (int i = 0; i < args.length; i++) {
            args[i] = e.arg(i);
        }
        return e + " gen=" + e.generation() + " at=" + e.offset() + " args=" + Arrays.toString(args)
                + " reason=" + e.reason() + " name=" + e.name() + " message=" + e.message() + " task=" + e.task()
                + " parent=" + e.parentTask() + " range=" + e.rangeName() + " newStack=" + e.newStack().frames();
    }

    private interface Source {
        TraceEvent next() throws IOException;
    }

    /** The events of {@code s} described, until its end or its error (then its message), then the bytes read. */
    private static List<String> read(Source s, java.util.function.LongSupplier bytesRead) {
        List<String> out = new ArrayList<>();
        try {
            for (TraceEvent e; (e = s.next()) != null; ) {
                out.add(describe(e));
            }
            out.add("end");
        } catch (IOException | RuntimeException x) {
            out.add("error: " + x.getMessage());
        }
        out.add("bytes read: " + bytesRead.getAsLong());
        return out;
    }

    private static List<String> plain(Path file) throws IOException {
        try (TraceParser p = TraceParser.open(file)) {
            return read(p::next, p::bytesRead);
        }
    }

    private static List<String> reused(Path file) throws IOException {
        try (TraceParser p = TraceParser.open(file).reuseEvents()) {
            return read(p::next, p::bytesRead);
        }
    }

    @Test
    void sameEventsAsThePlainParser() throws Exception {
        Path file = dir.resolve("big.trace");
        BigTrace.writeWithStacks(file, 3L << 20, 2, 64);
        CheckedTrace.of(file);
        List<String> expected = plain(file);
        assertEquals(List.of("end", "bytes read: " + Files.size(file)), expected.subList(expected.size() - 2, expected.size()));
        assertTrue(expected.size() > 100_000, "events: " + expected.size());
        assertTrue(expected.stream().anyMatch(s -> s.contains("Stack=")), "the trace has stacks");
        assertEquals(expected, reused(file));

        // Cut: the same events, then the same error.
        Path cut = dir.resolve("cut.trace");
        byte[] all = Files.readAllBytes(file);
        Files.write(cut, Arrays.copyOf(all, all.length * 2 / 3));
        List<String> cutExpected = plain(cut);
        assertTrue(cutExpected.get(cutExpected.size() - 2).startsWith("error: "), cutExpected.getLast());
        assertEquals(cutExpected, reused(cut));
    }
}
