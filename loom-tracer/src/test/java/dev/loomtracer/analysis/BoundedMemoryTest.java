package dev.loomtracer.analysis;

import static dev.loomtracer.testing.MiniJson.num;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.testing.BigTrace;
import dev.loomtracer.testing.ChildJava;
import dev.loomtracer.testing.MiniJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Memory is bounded by live threads, not by events: {@code loomtrace analyze --json} on a trace of
 * more than 200 MB, in a JVM limited to {@code -Xmx128m}. The trace is written quickly through the
 * engine ({@link BigTrace}: a platform "carrier" starts and blocks batches of virtual threads, a
 * platform unparker unblocks them) and deleted afterwards. Its validity is checked by the analysis
 * itself (which parses with the validator); Go's parser is not run on it (minutes, gigabytes): the
 * same writer's traces are judged by Go in ReportLargeTraceTest.
 */
class BoundedMemoryTest {
    static final long TARGET_BYTES = 210L << 20;
    static final int BATCH = 256;

    @Test
    void analysesATraceOfMoreThan200MBIn128MBOfHeap() throws Exception {
        Path dir = Files.createTempDirectory("loomtrace-big");
        Path file = dir.resolve("big.trace");
        try {
            long t0 = System.nanoTime();
            // One carrier, BATCH virtual threads at a time: the live threads stay few however large the trace.
            long blocks = BigTrace.write(file, TARGET_BYTES, 1, BATCH).blocks();
            long size = Files.size(file);
            long t1 = System.nanoTime();
            assertTrue(size >= 200L << 20, "trace is only " + size + " bytes");

            List<String> cmd = ChildJava.command("-Xmx128m");
            cmd.addAll(List.of("dev.loomtracer.cli.Analyze", "--json", file.toString()));
            Path out = dir.resolve("out.json");
            Path err = dir.resolve("err.txt");
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(10, TimeUnit.MINUTES), "analyze did not finish");
            assertEquals(0, p.exitValue(), Files.readString(err));
            System.out.printf("BoundedMemoryTest: wrote %d MB in %.1f s, analysed it with -Xmx128m in %.1f s%n", size >> 20,
                    (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
            Object json = MiniJson.parse(Files.readString(out));
            assertEquals(size, num(json, "trace", "bytes"));
            assertEquals(blocks, num(json, "blocking", 0, "count") + num(json, "blocking", 1, "count"),
                    "every block driven is counted (BigTrace's two reasons)");
            assertTrue(num(json, "trace", "peakLiveThreads") <= BATCH * 2 + 8, "live threads bound the model");
        } finally {
            Files.deleteIfExists(file);
            try (var s = Files.list(dir)) {
                for (Path f : s.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }
}
