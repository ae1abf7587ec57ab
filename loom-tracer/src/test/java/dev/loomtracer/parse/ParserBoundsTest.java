package dev.loomtracer.parse;

import dev.loomtracer.format.BatchLayout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.cli.Validate;
import dev.loomtracer.format.EventType;
import dev.loomtracer.format.Status;
import dev.loomtracer.parse.TraceBytes.RawBatch;
import dev.loomtracer.parse.TraceBytes.RawEvent;
import dev.loomtracer.testing.ChildJava;
import dev.loomtracer.testing.GoJudge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Memory and time bounds of the parser on crafted input (issue 11): memory follows a
 * generation's content, not its batch count, and past the documented limits (docs/FORMAT.md,
 * "Limits") the trace is refused with a message naming the limit.
 */
class ParserBoundsTest {
    @TempDir
    Path dir;

    /** A valid trace: goroutine 1 handed from M to M (one P each), {@code ms} Ms, later Ms stamped earlier. */
    static byte[] handedAcross(int ms) {
        List<RawBatch> batches = new ArrayList<>();
        long base = 1_000_000;
        for (int i = 0; i < ms; i++) {
            List<RawEvent> ev = new ArrayList<>();
            ev.add(new RawEvent(EventType.PROC_STATUS, new long[] {1, i, Status.PROC_RUNNING}));
            if (i == 0) {
                ev.add(new RawEvent(EventType.GO_STATUS, new long[] {1, 1, 1, Status.GO_RUNNING}));
            } else {
                ev.add(new RawEvent(EventType.GO_START, new long[] {1, 1, i}));
            }
            ev.add(new RawEvent(EventType.GO_STOP, new long[] {1, 0, 0}));
            batches.add(new RawBatch(0, 0, EventType.EVENT_BATCH, 0, 1, i + 1, base + 10L * (ms - i),
                    TraceBytes.encode(ev)));
        }
        batches.add(frequency(1));
        return TraceBytes.write(BatchLayout.FILE_HEADER, batches);
    }

    static RawBatch frequency(long gen) {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(EventType.FREQUENCY);
        byte[] v = new byte[10];
        f.write(v, 0, dev.loomtracer.format.Uvarint.put(v, 0, 15_625_000));
        return new RawBatch(0, 0, EventType.EVENT_BATCH, 0, gen, EventType.NO_THREAD, 0, f.toByteArray());
    }

    static String validate(Path trace, int expectedCode) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Validate.run(new String[] {trace.toString()}, new PrintStream(out), new PrintStream(err));
        assertEquals(expectedCode, code, out + "\n" + err);
        return out + err.toString();
    }

    @Test
    void theHandOffConstructionIsValidForBothJudges() throws Exception {
        Path t = dir.resolve("handed-500.trace");
        Files.write(t, handedAcross(500));
        validate(t, 0);
        GoJudge.assertValid(t);
    }

    /** 16,000 Ms, each waiting for the one before, stamped in reverse: refused, naming the bound, not quadratic for 24 s. */
    @Test
    void aGoroutineHandedAcross16000MsIsRefusedAtTheOrderingBound() throws Exception {
        Path t = dir.resolve("handed-16000.trace");
        Files.write(t, handedAcross(16_000));
        String msg = validate(t, 1);
        assertTrue(msg.contains("steps to put its events in order") && msg.contains("Limits"), msg);
    }

    /** A million empty event batches in one generation: valid, and parsed in 48 MiB of heap (6 million took 2.1 GB). */
    @Test
    void emptyBatchesCostNoMemory() throws Exception {
        List<RawBatch> batches = TraceBytes.batches(handedAcross(3));
        RawBatch first = batches.getFirst();
        List<RawBatch> out = new ArrayList<>();
        out.add(first);
        for (int i = 0; i < 1_000_000; i++) {
            out.add(new RawBatch(0, 0, EventType.EVENT_BATCH, 0, 1, first.m(), first.ts(), new byte[0]));
        }
        out.addAll(batches.subList(1, batches.size()));
        Path t = dir.resolve("empty-batches.trace");
        Files.write(t, TraceBytes.write(BatchLayout.FILE_HEADER, out));
        List<String> cmd = ChildJava.command("-Xmx48m");
        cmd.addAll(List.of(Validate.class.getName(), t.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "liveness guard");
        assertEquals(0, p.exitValue(), output);
        GoJudge.assertValid(t);
    }

    /** Past the documented number of event batches per generation: refused, naming the limit. */
    @Test
    void tooManyEventBatchesAreRefusedNamingTheLimit() throws Exception {
        List<RawBatch> batches = TraceBytes.batches(handedAcross(3));
        List<RawBatch> out = new ArrayList<>(batches.subList(0, batches.size() - 1));
        byte[] one = TraceBytes.encode(List.of(new RawEvent(EventType.PROC_STATUS, new long[] {1, 0, Status.PROC_RUNNING})));
        for (int i = 0; i <= Generation.MAX_EVENT_BATCHES; i++) {
            out.add(new RawBatch(0, 0, EventType.EVENT_BATCH, 0, 1, 1, 1, one));
        }
        out.add(batches.getLast());
        Path t = dir.resolve("too-many-batches.trace");
        Files.write(t, TraceBytes.write(BatchLayout.FILE_HEADER, out));
        String msg = validate(t, 1);
        assertTrue(msg.contains("more than " + Generation.MAX_EVENT_BATCHES + " event batches"), msg);
    }
}
