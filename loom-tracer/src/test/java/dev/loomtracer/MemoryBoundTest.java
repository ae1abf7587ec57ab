package dev.loomtracer;

import dev.loomtracer.testing.ChildJava;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory bound (API.md, {@code bufferMemory}), measured as live heap, not as file size: the
 * tracer's buffers, the string and stack tables of the generations in progress and the
 * flight-recorder window together stay within what the options promise: twice
 * {@code bufferMemory} at the peak (while the advancer dumps a generation's tables into batches,
 * the tables are no longer charged but still live; measured without TLABs, generations ended
 * by their tables too, {@code bufferMemory} 1 MiB: 0.46 to 0.78 MB for the reader case, 0.76 to
 * 1.21 MB for the flight recorder and its window, in about 20 runs each). Measured in a child JVM
 * ({@link HeapBoundChild}: serial GC, no TLABs, live heap after {@code System.gc()} every few logs) on a
 * program whose every log has a new long message and a new stack, so the tables weigh more than
 * the events.
 *
 * <p>{@link #SLACK}: the tracer's fixed structures (its per-thread state, session, maps) and the
 * measuring program's own garbage-free state. Before stack tables were charged at their real heap
 * cost ({@code CapturedStack.heapBytes}; they were charged 48 bytes a frame, a quarter of what a
 * captured frame holds), the reader case grew to 12 MB with a 4 MiB budget.
 */
class MemoryBoundTest {
    static final long SLACK = 384 << 10;

    @Test
    void nobodyReadingTheTracerHoldsAtMostItsBufferMemory() throws Exception {
        long budget = 1 << 20;
        Result r = child("reader", budget, 0, 20_000, 200, Integer.MAX_VALUE, 20);
        assertTrue(r.lost > 0, "the budget ran out (the trace ended by itself): " + r);
        assertTrue(r.samples >= 5, "measured while the budget filled: " + r);
        assertTrue(r.peak <= 2 * budget + SLACK, "live heap grew by " + r.peak + " bytes with bufferMemory " + budget + ": " + r);
    }

    /**
     * A flight recorder holds at most the above + its window + the generation it is
     * taking in (docs/API.md, "Flight recorder"): the window holds the newest generation before
     * evicting the oldest, the copy being assembled grows by doubling (twice the generation), and
     * the chunk in hand (one buffer, 64 KiB): three times the largest generation and a buffer.
     */
    @Test
    void aFlightRecorderHoldsAtMostItsBufferMemoryItsWindowAndTheGenerationItCopies() throws Exception {
        long budget = 1 << 20;
        long window = 256 << 10;
        Result r = child("flight", budget, window, 120_000, 100, 64, 6_000);
        assertEquals(0, r.lost, "nothing lost: the recorder reads all the time: " + r);
        assertTrue(r.largestGeneration > 0 && r.largestGeneration < window,
                "many generations fit in the window, so that it must evict: " + r);
        long bound = 2 * budget + window + 3 * r.largestGeneration + (64 << 10) + SLACK;
        assertTrue(r.peak <= bound, "live heap grew by " + r.peak + " bytes, bound " + bound + ": " + r);
    }

    record Result(long peak, long samples, long lost, long largestGeneration, String output) {}

    private static Result child(String mode, long budget, long window, int logs, int chars, int distinct, int sample)
            throws Exception {
        // No TLABs: with them the heap used counts each thread's fresh buffer, and the reader case
        // measured 0.05 to 2.6 MB where its live heap grew by 0.5 to 0.6 MB (HeapBoundChild).
        List<String> cmd = ChildJava.command("-XX:+UseSerialGC", "-XX:-UseTLAB", "-Xmx256m"); // with the flags the engine needs
        cmd.addAll(List.of(HeapBoundChild.class.getName(), mode, String.valueOf(budget), String.valueOf(window), String.valueOf(logs),
                String.valueOf(chars), String.valueOf(distinct), String.valueOf(sample)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the child ended");
        assertEquals(0, p.exitValue(), out);
        Matcher m = Pattern.compile("(?m)^peak-growth (\\d+) samples (\\d+) lost (\\d+) largest-generation (\\d+)$").matcher(out);
        assertTrue(m.find(), out);
        Result r = new Result(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                Long.parseLong(m.group(4)), out);
        System.out.println("MemoryBoundTest " + mode + ": " + m.group());
        return r;
    }
}
