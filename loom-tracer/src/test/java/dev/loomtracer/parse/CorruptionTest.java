package dev.loomtracer.parse;

import dev.loomtracer.format.BatchLayout;
import static dev.loomtracer.format.EventType.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.parse.TraceBytes.RawBatch;
import dev.loomtracer.parse.TraceBytes.RawEvent;
import dev.loomtracer.testing.GoJudge;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged traces are rejected with a message naming the generation, and our verdict on each
 * damaged trace is Go's verdict.
 */
class CorruptionTest {
    static final byte[] TRACE = TraceBytes.writerLayout(Parsed.read("basic.trace"));
    static final List<Generation> GENS = Parsed.of(TRACE).generations();

    @TempDir
    Path dir;

    Path save(String name, byte[] trace) throws IOException {
        Path f = dir.resolve(name + ".trace");
        Files.write(f, trace);
        return f;
    }

    /** Applies {@code edit} to the events of the first event batch of generation {@code gen} it changes. */
    static byte[] editEvents(long gen, Function<List<RawEvent>, List<RawEvent>> edit) {
        List<RawBatch> batches = new ArrayList<>(TraceBytes.batches(TRACE));
        for (int i = 0; i < batches.size(); i++) {
            RawBatch b = batches.get(i);
            if (b.gen() != gen || !b.isEvents()) {
                continue;
            }
            List<RawEvent> events = TraceBytes.events(b);
            List<RawEvent> changed = edit.apply(events);
            if (changed != null) {
                batches.set(i, b.withData(TraceBytes.encode(changed)));
                return TraceBytes.write(TRACE, batches);
            }
        }
        throw new IllegalStateException("nothing to edit in generation " + gen);
    }

    /** A later generation: its events depend on the state carried over from the one before. */
    static long laterGen() {
        return GENS.get(1).number();
    }

    void assertRejectedByBoth(String name, byte[] trace, long gen) throws IOException {
        Parsed p = Parsed.of(trace);
        TraceFormatException e = p.error();
        assertNotNull(e, name + ": accepted");
        assertEquals(gen, e.generation(), e.getMessage());
        assertTrue(e.getMessage().contains("in generation " + gen), e.getMessage());
        assertTrue(e.offset() >= 0, "names a byte offset: " + e.getMessage());
        GoJudge.assertInvalid(save(name, trace));
        assertTrue(p.syncs() >= gen - GENS.get(0).number(), "generations before are still returned");
    }

    @Test
    void aSkippedSequenceNumberIsRejected() throws IOException {
        long gen = laterGen();
        byte[] bad = editEvents(gen, events -> {
            for (int i = 0; i < events.size(); i++) {
                RawEvent e = events.get(i);
                if (e.type() == GO_START && e.args()[2] > 1) {
                    List<RawEvent> c = new ArrayList<>(events);
                    c.set(i, e.withArg(2, e.args()[2] + 1));
                    return c;
                }
            }
            return null;
        });
        assertRejectedByBoth("seq-skipped", bad, gen);
        assertTrue(Parsed.of(bad).error().getMessage().contains("no M can advance"));
    }

    @Test
    void aRepeatedSequenceNumberIsRejected() throws IOException {
        long gen = laterGen();
        byte[] bad = editEvents(gen, events -> {
            for (int i = 0; i < events.size(); i++) {
                RawEvent e = events.get(i);
                if (e.type() == GO_UNBLOCK && e.args()[2] > 1) {
                    List<RawEvent> c = new ArrayList<>(events);
                    c.set(i, e.withArg(2, e.args()[2] - 1));
                    return c;
                }
            }
            return null;
        });
        assertRejectedByBoth("seq-repeated", bad, gen);
    }

    @Test
    void aMissingGoroutineStatusEventIsRejected() throws IOException {
        long gen = laterGen();
        // Remove the GoStatus of a goroutine that is not running and that starts later in this batch.
        byte[] bad = editEvents(gen, events -> {
            for (int i = 0; i < events.size(); i++) {
                RawEvent s = events.get(i);
                if (s.type() != GO_STATUS || s.args()[3] == dev.loomtracer.format.Status.GO_RUNNING) {
                    continue;
                }
                long g = s.args()[1];
                boolean usedLater = events.subList(i + 1, events.size()).stream()
                        .anyMatch(e -> (e.type() == GO_START || e.type() == GO_UNBLOCK) && e.args()[1] == g);
                if (usedLater) {
                    List<RawEvent> c = new ArrayList<>(events);
                    c.remove(i);
                    if (i < c.size()) { // keep later timestamps where they were
                        c.set(i, c.get(i).withArg(0, c.get(i).args()[0] + s.args()[0]));
                    }
                    return c;
                }
            }
            return null;
        });
        assertRejectedByBoth("no-go-status", bad, gen);
    }

    @Test
    void aMissingProcStatusEventIsRejected() throws IOException {
        long gen = laterGen();
        byte[] bad = editEvents(gen, events -> {
            if (events.isEmpty() || events.get(0).type() != PROC_STATUS
                    || events.get(0).args()[2] != dev.loomtracer.format.Status.PROC_RUNNING) {
                return null;
            }
            List<RawEvent> c = new ArrayList<>(events.subList(1, events.size()));
            c.set(0, c.get(0).withArg(0, c.get(0).args()[0] + events.get(0).args()[0]));
            return c;
        });
        assertRejectedByBoth("no-proc-status", bad, gen);
    }

    @Test
    void aDuplicatedGoStartIsRejected() throws IOException {
        long gen = laterGen();
        byte[] bad = editEvents(gen, events -> {
            for (int i = 0; i < events.size(); i++) {
                if (events.get(i).type() == GO_START) {
                    List<RawEvent> c = new ArrayList<>(events);
                    c.add(i + 1, events.get(i).withArg(0, 1));
                    return c;
                }
            }
            return null;
        });
        assertRejectedByBoth("double-start", bad, gen);
    }

    @Test
    void aReferenceToAMissingStringIsRejected() throws IOException {
        long gen = laterGen();
        byte[] bad = editEvents(gen, events -> {
            for (int i = 0; i < events.size(); i++) {
                if (events.get(i).type() == GO_BLOCK) {
                    List<RawEvent> c = new ArrayList<>(events);
                    c.set(i, events.get(i).withArg(1, 1_000_000));
                    return c;
                }
            }
            return null;
        });
        assertRejectedByBoth("missing-string", bad, gen);
        assertTrue(Parsed.of(bad).error().getMessage().contains("found invalid string ID 1000000 for event GoBlock"));
    }

    /**
     * Flip single bits all over the trace (header excepted): whenever we reject, the message names
     * a generation and an offset; and we accept a damaged trace exactly when Go does.
     */
    @Test
    void bitFlipsGetGosVerdict() throws IOException {
        SplittableRandom rnd = new SplittableRandom(20250101);
        int rejected = 0;
        for (int i = 0; i < 60; i++) {
            byte[] bad = TRACE.clone();
            int at = BatchLayout.FILE_HEADER.length + rnd.nextInt(bad.length - BatchLayout.FILE_HEADER.length);
            bad[at] ^= (byte) (1 << rnd.nextInt(8));
            Parsed p = Parsed.of(bad);
            GoJudge.Verdict go = GoJudge.judge(save("flip-" + at, bad));
            String what = "bit flip at byte " + at + ": ours " + (p.error() == null ? "valid" : p.error().getMessage())
                    + "; Go " + (go.valid() ? "valid" : go.stderr().strip());
            assertEquals(go.valid(), p.error() == null, what);
            if (p.error() != null) {
                rejected++;
                assertTrue(p.error().generation() > 0, what);
                assertTrue(p.error().getMessage().contains("generation " + p.error().generation()), what);
            }
        }
        assertTrue(rejected > 10, "most flips should break the trace: " + rejected);
    }

    @Test
    void theUndamagedTraceIsAccepted() {
        assertNull(Parsed.of(TRACE).error());
    }
}
