package dev.loomtracer.parse;

import dev.loomtracer.format.BatchLayout;
import static dev.loomtracer.format.EventType.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.format.Uvarint;
import dev.loomtracer.parse.TraceBytes.RawBatch;
import dev.loomtracer.parse.Transition.State;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Batch framing, generation boundaries and table checks on small hand-built traces. */
class BatchFramingTest {
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path dir;

    /** A trace this test says is valid: the project's parser reads it whole, and so does Go's. */
    Parsed valid(byte[] trace) {
        Parsed p = Parsed.of(trace);
        assertNull(p.error(), () -> "unexpected " + p.error());
        try {
            java.nio.file.Path file = java.nio.file.Files.createTempFile(dir, "valid", ".trace");
            java.nio.file.Files.write(file, trace);
            dev.loomtracer.testing.GoJudge.assertValid(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return p;
    }

    static final long NO_M = -1;

    static byte[] ev(int type, long... args) {
        return TraceBytes.encode(List.of(new TraceBytes.RawEvent(type, args)));
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static RawBatch batch(long gen, long m, byte[]... parts) {
        return new RawBatch(0, 0, EVENT_BATCH, 0, gen, m, 0, cat(parts));
    }

    static RawBatch freq(long gen, long ticksPerSecond) {
        byte[] b = new byte[11];
        b[0] = FREQUENCY;
        int n = Uvarint.put(b, 1, ticksPerSecond);
        return batch(gen, NO_M, Arrays.copyOf(b, n));
    }

    static RawBatch strings(long gen, Object... idThenString) {
        List<byte[]> parts = new ArrayList<>();
        parts.add(new byte[] {STRINGS});
        for (int i = 0; i < idThenString.length; i += 2) {
            byte[] s = ((String) idThenString[i + 1]).getBytes(StandardCharsets.UTF_8);
            byte[] h = new byte[21];
            h[0] = STRING;
            int n = Uvarint.put(h, 1, ((Number) idThenString[i]).longValue());
            n = Uvarint.put(h, n, s.length);
            parts.add(Arrays.copyOf(h, n));
            parts.add(s);
        }
        return batch(gen, NO_M, parts.toArray(byte[][]::new));
    }

    /** A stacks batch with one stack {@code id} of frames {pc, func, file, line}... */
    static RawBatch stacks(long gen, long id, long... frames) {
        byte[] b = new byte[16 + frames.length * 10];
        b[0] = STACKS;
        b[1] = STACK;
        int n = Uvarint.put(b, 2, id);
        n = Uvarint.put(b, n, frames.length / 4);
        for (long f : frames) {
            n = Uvarint.put(b, n, f);
        }
        return batch(gen, NO_M, Arrays.copyOf(b, n));
    }

    static byte[] trace(RawBatch... batches) {
        return TraceBytes.write(BatchLayout.FILE_HEADER, List.of(batches));
    }

    /** One generation: P 0 running; G 5 created, started, stopped with a reason and a stack. */
    static RawBatch[] generation(long gen, boolean first) {
        byte[] events = first
                ? cat(ev(PROC_STATUS, 1, 0, 1), ev(GO_CREATE, 1, 5, 0, 0), ev(GO_START, 1, 5, 1),
                        ev(GO_STOP, 1, 1, 1))
                : cat(ev(PROC_STATUS, 1, 0, 1), ev(GO_STATUS, 1, 5, NO_M, 1), ev(GO_START, 1, 5, 1),
                        ev(GO_BLOCK, 1, 1, 1));
        return new RawBatch[] {
            batch(gen, 7, events),
            stacks(gen, 1, 0x1000, 2, 3, 42),
            strings(gen, 1, "whatever", 2, "Main.run", 3, "Main.java"),
            freq(gen, 15_625_000), // 64 ns per tick
        };
    }

    @Test
    void minimalGenerationParsesWithContextTimesStringsAndStacks() {
        Parsed p = valid(trace(generation(1, true)));
        List<TraceEvent> ev = p.events();
        assertEquals(List.of("ProcStatus", "GoCreate", "GoStart", "GoStop", "Sync"),
                ev.stream().map(TraceEvent::typeName).toList());
        assertEquals(List.of(64L, 128L, 192L, 256L, 257L), ev.stream().map(TraceEvent::time).toList());
        TraceEvent create = ev.get(1);
        assertEquals(7, create.m());
        assertEquals(0, create.p());
        assertEquals(TraceEvent.NONE, create.g());
        assertEquals(new Transition(Transition.Resource.GOROUTINE, 5, State.NOT_EXIST, State.RUNNABLE),
                create.transition());
        assertEquals(State.UNDETERMINED, ev.get(0).transition().from());
        TraceEvent stop = ev.get(3);
        assertEquals(5, stop.g(), "the context of GoStop is the running G");
        assertEquals("whatever", stop.reason());
        assertEquals(List.of(new Frame(0x1000, "Main.run", "Main.java", 42)), stop.stack().frames());
        assertEquals(1, p.generations().size());
        Generation g = p.generations().get(0);
        assertEquals(1, g.number());
        assertEquals(16, g.startOffset());
        assertEquals(trace(generation(1, true)).length, g.endOffset());
        assertEquals(15_625_000, g.ticksPerSecond());
    }

    @Test
    void generationsFollowEachOtherAndStatusCarriesStateAcross() {
        Parsed p = valid(trace(cat2(generation(1, true), generation(2, false))));
        assertEquals(2, p.syncs());
        TraceEvent status = p.events().stream().filter(e -> e.type() == GO_STATUS).findFirst().orElseThrow();
        assertEquals(2, status.generation());
        assertEquals(State.RUNNABLE, status.transition().from(), "known G: old state = new state");
        assertEquals("whatever", p.events().stream().filter(e -> e.type() == GO_BLOCK).findFirst().orElseThrow().reason());
    }

    static RawBatch[] cat2(RawBatch[] a, RawBatch[] b) {
        RawBatch[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static TraceFormatException error(byte[] trace) {
        Parsed p = Parsed.of(trace);
        assertNotNull(p.error(), "the trace should be rejected");
        return p.error();
    }

    @Test
    void headerIsChecked() {
        assertTrue(error("not a trace at all!".getBytes(StandardCharsets.US_ASCII)).getMessage()
                .contains("not a Go execution trace"));
        byte[] go121 = trace(generation(1, true));
        go121[6] = '1';
        assertTrue(error(go121).getMessage().contains("unsupported trace version \"go 1.21 trace\""));
        TraceFormatException cut = error(Arrays.copyOf(BatchLayout.FILE_HEADER, 9));
        assertTrue(cut.truncated());
        assertTrue(cut.getMessage().startsWith("trace truncated at byte 9"), cut.getMessage());
        TraceFormatException empty = error(BatchLayout.FILE_HEADER.clone());
        assertTrue(empty.truncated());
        assertTrue(empty.getMessage().contains("no generation"), empty.getMessage());
        byte[] go122 = trace(generation(1, true));
        go122[6] = '2';
        valid(go122); // go 1.22 traces are read as well, by both
    }

    @Test
    void oversizedBatchIsRejectedAtItsOffset() {
        byte[] h = new byte[32];
        int n = 0;
        h[n++] = EVENT_BATCH;
        n = Uvarint.put(h, n, 1);
        n = Uvarint.put(h, n, 0);
        n = Uvarint.put(h, n, 0);
        n = Uvarint.put(h, n, BatchLayout.MAX_PAYLOAD + 1);
        TraceFormatException e = error(cat(BatchLayout.FILE_HEADER, Arrays.copyOf(h, n), new byte[BatchLayout.MAX_PAYLOAD + 1]));
        assertEquals(16, e.offset());
        assertTrue(e.getMessage().contains("invalid batch size 65537, maximum is 65536"), e.getMessage());
        assertTrue(e.getMessage().contains("at byte 16 in generation 1"), e.getMessage());
    }

    @Test
    void aByteThatIsNotABatchIsRejectedAtItsOffset() {
        byte[] good = trace(generation(1, true));
        byte[] bad = cat(good, new byte[] {STACK, 1, 2, 3});
        TraceFormatException e = error(bad);
        assertEquals(good.length, e.offset());
        assertTrue(e.getMessage().contains("expected batch event, got Stack"), e.getMessage());
        assertEquals(1, Parsed.of(bad).syncs(), "the complete generation before it is still returned");
    }

    @Test
    void generationNumbersMustBeNonZeroAndConsecutive() {
        assertTrue(error(trace(generation(0, true))).getMessage().contains("invalid generation number 0"));
        TraceFormatException e = error(trace(cat2(generation(1, true), generation(3, false))));
        assertTrue(e.getMessage().contains("generations out of order"), e.getMessage());
    }

    @Test
    void tablesAreChecked() {
        RawBatch[] g = generation(1, true);
        RawBatch[] twoFreq = cat2(g, new RawBatch[] {freq(1, 1000)});
        assertTrue(error(trace(twoFreq)).getMessage().contains("found multiple frequency events"));

        RawBatch[] dupString = cat2(g, new RawBatch[] {strings(1, 2, "again")});
        TraceFormatException e = error(trace(dupString));
        assertTrue(e.getMessage().contains("multiple strings with the same ID: id=2"), e.getMessage());
        assertEquals(1, e.generation());

        RawBatch[] badFrame = g.clone();
        badFrame[1] = stacks(1, 1, 0x1000, 9, 3, 42); // function string 9 does not exist
        e = error(trace(badFrame));
        assertTrue(e.getMessage().contains("found invalid func string ID 9 for stack 1"), e.getMessage());
        assertTrue(e.getMessage().contains("generation 1"), e.getMessage());

        RawBatch[] longString = cat2(g, new RawBatch[] {strings(1, 4, "x".repeat(MAX_STRING_SIZE + 1))});
        assertTrue(error(trace(longString)).getMessage().contains("invalid string size 1025"));
    }

    @Test
    void eventsMustReferenceExistingStringsAndStacks() {
        RawBatch[] g = generation(1, true);
        RawBatch[] noString = g.clone();
        noString[0] = batch(1, 7, ev(PROC_STATUS, 1, 0, 1), ev(GO_CREATE, 1, 5, 0, 0), ev(GO_START, 1, 5, 1),
                ev(GO_STOP, 1, 77, 1));
        TraceFormatException e = error(trace(noString));
        assertTrue(e.getMessage().contains("found invalid string ID 77 for event GoStop"), e.getMessage());
        assertTrue(e.getMessage().contains("in generation 1"), e.getMessage());
        assertTrue(e.getMessage().contains("M 7"), e.getMessage());
        assertTrue(e.offset() > 16, "offset of the event: " + e.offset());

        RawBatch[] noStack = g.clone();
        noStack[0] = batch(1, 7, ev(PROC_STATUS, 1, 0, 1), ev(GO_CREATE, 1, 5, 88, 0));
        e = error(trace(noStack));
        assertTrue(e.getMessage().contains("found invalid stack ID 88 for event GoCreate"), e.getMessage());
    }

    @Test
    void unknownEventTypesInAnEventBatchAreRejected() {
        RawBatch[] g = generation(1, true);
        g[0] = batch(1, 7, ev(PROC_STATUS, 1, 0, 1), new byte[] {60, 1});
        TraceFormatException e = error(trace(g));
        assertTrue(e.getMessage().contains("found event without a timestamp"), e.getMessage());
        g[0] = batch(1, 7, ev(PROC_STATUS, 1, 0, 1), new byte[] {STRING, 1});
        assertTrue(error(trace(g)).getMessage().contains("found event without a timestamp: type=String"));
    }

    @Test
    void aGenerationWithoutFrequencyIsInvalidOrTruncated() {
        RawBatch[] g1 = generation(1, true);
        RawBatch[] noFreq = Arrays.copyOf(g1, 3);
        TraceFormatException cut = error(trace(noFreq));
        assertTrue(cut.truncated(), "at the end of the input it is a cut: " + cut.getMessage());
        assertEquals(1, cut.generation());

        TraceFormatException mid = error(trace(cat2(noFreq, generation(2, false))));
        assertFalse(mid.truncated(), "followed by the next generation it is plain invalid");
        assertTrue(mid.getMessage().contains("no frequency batch in generation 1"), mid.getMessage());
    }

    @Test
    void aBatchCutShortIsReportedAsTruncationOfItsGeneration() {
        byte[] full = trace(cat2(generation(1, true), generation(2, false)));
        byte[] cut = Arrays.copyOf(full, full.length - 3);
        Parsed p = Parsed.of(cut);
        assertNotNull(p.error());
        assertTrue(p.error().truncated());
        assertEquals(2, p.error().generation());
        assertEquals("trace truncated at byte " + cut.length + " in generation 2: ",
                p.error().getMessage().substring(0, ("trace truncated at byte " + cut.length + " in generation 2: ").length()));
        assertEquals(1, p.syncs(), "generation 1 was complete and is returned whole");
        assertTrue(p.events().stream().allMatch(e -> e.generation() == 1));
    }
}
