package dev.loomtracer.engine;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.format.EventType;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.testing.Spi.Traced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntFunction;

import static dev.loomtracer.testing.Spi.emit;
import static dev.loomtracer.testing.Spi.onNewThread;
import static dev.loomtracer.testing.Spi.traced;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A generation's string and stack tables count towards its size (docs/ENGINE.md, "Generations"):
 * a program that logs many distinct long strings, or at many distinct stacks, fills its tables
 * long before its events fill a buffer. Counting only the events, the generation never ended by
 * size, its tables took the whole {@code bufferMemory} and the trace ended with a loss while the
 * reader kept up. Only size can end a generation here (a 10 minute period).
 *
 * <p>The program keeps pace with the tracer without timing ({@link Pace}): after each batch, if
 * the tracer says the generation is due to end by size, it waits until that generation has ended
 * and the reader has taken it. With tables not counted it never waits, and loses.
 */
class TablesEndGenerationsTest {
    static final long GENERATION = 64 << 10;
    static final int BATCHES = 30;
    static final int PER_BATCH = 100;

    @TempDir
    Path dir;

    private static TraceOptions options(long budget) {
        return TraceOptions.defaults().generationPeriod(Duration.ofMinutes(10)).generationBytes(GENERATION).bufferMemory(budget);
    }

    /**
     * 3,000 distinct 900-character messages: 5.7 MB of string table at what it charges the budget
     * (its heap cost, ~1.9 KB a message), in a 4 MiB budget; ~90 KB written a batch, more than a
     * generation.
     */
    @Test
    void distinctStringsEndGenerationsBySizeInsteadOfEndingTheTrace() throws Exception {
        String padding = "s".repeat(900);
        IntFunction<String> message = i -> "message " + i + " " + padding;
        Traced run = logBatches(dir.resolve("strings.trace"), 4 << 20, i -> message.apply(i), i -> null);
        Set<String> want = new HashSet<>();
        for (int i = 0; i < BATCHES * PER_BATCH; i++) {
            want.add(message.apply(i));
        }
        Set<String> got = new HashSet<>();
        for (TraceEvent e : run.trace().events) {
            if (e.type() == EventType.USER_LOG && "batch".equals(e.name())) {
                got.add(e.message());
            }
        }
        assertEquals(want.size(), got.size(), "every message");
        assertTrue(want.equals(got), "every message whole");
        assertGenerationsEndedBySize(run);
    }

    /**
     * 3,000 distinct stacks 64 frames deep: 34 MB of stack table at what it charges the budget
     * (~11 KB a stack), in a 4 MiB budget. A batch writes ~58 KB, less than a generation, but its
     * table holds 1.1 MB, more than the quarter of the budget a generation's tables may hold.
     */
    @Test
    void distinctStacksEndGenerationsBySizeInsteadOfEndingTheTrace() throws Exception {
        Traced run = logBatches(dir.resolve("stacks.trace"), 4 << 20, i -> "log", TablesEndGenerationsTest::stack);
        Set<Long> lines = new HashSet<>();
        for (TraceEvent e : run.trace().events) {
            if (e.type() == EventType.USER_LOG && "batch".equals(e.name())) {
                assertEquals(DEPTH, e.stack().frames().size(), "a stack of " + DEPTH + " frames: " + e);
                lines.add(e.stack().top().line());
            }
        }
        assertEquals(BATCHES * PER_BATCH, lines.size(), "every log's own stack");
        assertGenerationsEndedBySize(run);
    }

    static final int DEPTH = 64;

    /** Stack {@code i}: DEPTH frames of two functions; the top frame's line is {@code i}, so no two stacks are equal. */
    private static CapturedStack stack(int i) {
        CapturedStack.Frame[] frames = new CapturedStack.Frame[DEPTH];
        frames[0] = new CapturedStack.Frame("app.Handler.serve", "app/Handler.java", i);
        for (int d = 1; d < frames.length; d++) {
            frames[d] = new CapturedStack.Frame(d % 2 == 0 ? "app.Handler.serve" : "app.Router.route", "app/Handler.java", d);
        }
        return CapturedStack.ofFrames(frames);
    }

    /** Logs BATCHES batches of PER_BATCH logs (log i: message {@code value(i)}, stack {@code stack(i)}), keeping pace. */
    private Traced logBatches(Path file, long budget, IntFunction<String> value, IntFunction<CapturedStack> stack)
            throws Exception {
        return traced(file, options(budget), t -> onNewThread("logger", () -> {
            for (int b = 0; b < BATCHES; b++) {
                for (int i = b * PER_BATCH; i < (b + 1) * PER_BATCH; i++) {
                    String v = value.apply(i);
                    CapturedStack s = stack.apply(i);
                    emit(t, w -> w.userLog(Thread.currentThread(), 0, "batch", v, s));
                }
                Pace.keepPace(t);
            }
        }));
    }

    /**
     * Nothing lost, and the logs spread over many generations, none holding more than a
     * generation's worth and a batch: the tables ended them.
     */
    private static void assertGenerationsEndedBySize(Traced run) {
        assertEquals(0, run.stats().lostEvents(), "nothing lost: " + run.stats());
        assertTrue(run.stats().complete(), String.valueOf(run.stats()));
        Map<Long, Integer> perGeneration = new TreeMap<>();
        for (TraceEvent e : run.trace().events) {
            if (e.type() == EventType.USER_LOG && "batch".equals(e.name())) {
                perGeneration.merge(e.generation(), 1, Integer::sum);
            }
        }
        assertEquals(BATCHES * PER_BATCH, perGeneration.values().stream().mapToInt(Integer::intValue).sum(), "every log");
        assertTrue(perGeneration.size() >= BATCHES, "ended by size, a generation for each batch at least: " + perGeneration);
        assertTrue(perGeneration.values().stream().allMatch(n -> n <= 2 * PER_BATCH),
                "no generation holds more than its size and a batch: " + perGeneration);
    }
}
