package dev.loomtracer.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.testing.ChildJava;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The converter's memory (docs/JFR.md, "Offline conversion"): one chunk plus one generation, not
 * the trace. Measured as live heap in a child JVM ({@link ConverterHeapChild}: serial GC, a full
 * collection after every generation) converting a trace of many small generations into many small
 * chunks: the live heap over the last quarter of the generations must not exceed its peak over
 * the first quarter by more than {@link #SLACK}. A converter that keeps anything per generation
 * or per chunk fails it (one that kept every episode: 2,847 KiB in the first quarter, 5,063 KiB
 * in the last; this one: 2,601 and 2,026 KiB).
 *
 * <p>{@link #SLACK}: the open chunk and the generation in hand differ from one measurement to the
 * next (a chunk of {@link #CHUNK_EVENTS} events is about 30 KB in JMC's writer).
 */
class ConverterMemoryTest {
    static final int CHUNK_EVENTS = 500;
    static final long SLACK = 256 << 10;

    @Test
    void liveHeapDoesNotGrowWithTheTrace(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("many-generations.trace");
        // 64 virtual threads (whose names the converter keeps: few), 100 rounds, a generation
        // ended after each: many small generations. Judged by both judges.
        SimulatedTrace.write(trace, 64, 100);

        // A child JVM on this JVM's classes (on the class path, whichever path surefire used here).
        List<String> cmd = ChildJava.command("-XX:+UseSerialGC", "-Xmx256m");
        cmd.addAll(List.of(ConverterHeapChild.class.getName(), trace.toString(), String.valueOf(CHUNK_EVENTS),
                dir.resolve("out.jfr").toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the child ended");
        assertEquals(0, p.exitValue(), out);

        List<Long> live = new ArrayList<>();
        for (Matcher m = Pattern.compile("(?m)^live \\d+ (-?\\d+)$").matcher(out); m.find(); ) {
            live.add(Long.parseLong(m.group(1)));
        }
        Matcher done = Pattern.compile("(?m)^converted (\\d+) (\\d+) (\\d+)$").matcher(out);
        assertTrue(done.find(), out);
        long generations = Long.parseLong(done.group(1));
        long chunks = Long.parseLong(done.group(2));
        long events = Long.parseLong(done.group(3));
        assertEquals(generations, live.size(), "one measurement per generation: " + out);
        assertTrue(generations >= 100, "many generations: " + out);
        assertTrue(chunks >= 20 && events >= CHUNK_EVENTS * (chunks - 1),
                "many full chunks: " + chunks + " chunks, " + events + " events");
        List<Long> first = live.subList(0, live.size() / 4);
        List<Long> second = live.subList(live.size() * 3 / 4, live.size());
        long firstPeak = first.stream().mapToLong(Long::longValue).max().orElseThrow();
        long secondPeak = second.stream().mapToLong(Long::longValue).max().orElseThrow();
        System.out.printf("ConverterMemoryTest: %d generations, %d chunks, %d JFR events; live heap peak %d KiB in the"
                + " first quarter of the generations, %d KiB in the last%n", generations, chunks, events, firstPeak >> 10, secondPeak >> 10);
        assertTrue(secondPeak <= firstPeak + SLACK, "the live heap grew with the trace: " + live);
    }
}
