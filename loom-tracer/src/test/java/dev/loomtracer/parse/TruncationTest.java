package dev.loomtracer.parse;

import dev.loomtracer.format.BatchLayout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.testing.GoJudge;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trace cut anywhere yields every complete generation before the cut, unchanged, and then a
 * clear "trace truncated at byte N in generation G" error (or nothing more, when the cut falls
 * exactly on a generation boundary: that prefix is itself a valid trace).
 */
class TruncationTest {
    static final byte[] GO_LAYOUT = Parsed.read("basic.trace");
    /** The same trace with each generation's batches in our writer's order: frequency batch last. */
    static final byte[] WRITER_LAYOUT = TraceBytes.writerLayout(GO_LAYOUT);

    @Test
    void writerLayoutIsTheSameTraceForGoAndForUs(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("writer-layout.trace");
        Files.write(file, WRITER_LAYOUT);
        Parsed p = Parsed.of(WRITER_LAYOUT);
        assertNull(p.error());
        assertEquals(GoJudge.countEvents(file), GoJudge.countEvents(p.events()));
    }

    /** Cut points: the first bytes, every batch boundary and its neighbours, and a stride through the rest. */
    static TreeSet<Integer> cuts(byte[] trace) {
        return cuts(trace, 89);
    }

    static TreeSet<Integer> cuts(byte[] trace, int stride) {
        TreeSet<Integer> cuts = new TreeSet<>();
        for (int c = 0; c <= 40; c++) {
            cuts.add(c);
        }
        for (TraceBytes.RawBatch b : TraceBytes.batches(trace)) {
            for (long c : new long[] {b.offset(), b.end()}) {
                for (int d = -1; d <= 1; d++) {
                    cuts.add((int) c + d);
                }
            }
        }
        for (int c = 0; c < trace.length; c += stride) {
            cuts.add(c);
        }
        cuts.removeIf(c -> c < 0 || c > trace.length);
        return cuts;
    }

    /** Number of generations that end at or before {@code cut}. */
    static int complete(List<Generation> gens, int cut) {
        int k = 0;
        while (k < gens.size() && gens.get(k).endOffset() <= cut) {
            k++;
        }
        return k;
    }

    /** Number of events of generations up to and including {@code lastGen}. */
    static int upTo(Parsed whole, long lastGen) {
        return (int) whole.events().stream().filter(e -> e.generation() <= lastGen).count();
    }

    @Test
    void everyCutOfAWriterLayoutTraceYieldsExactlyTheCompleteGenerations() {
        Parsed whole = Parsed.of(WRITER_LAYOUT);
        List<Generation> gens = whole.generations();
        List<String> all = whole.describeAll();
        assertTrue(gens.size() >= 3, "need several generations: " + gens.size());
        int checked = 0;
        for (int cut : cuts(WRITER_LAYOUT)) {
            Parsed p = Parsed.of(Arrays.copyOf(WRITER_LAYOUT, cut));
            int k = complete(gens, cut);
            long lastComplete = k == 0 ? 0 : gens.get(k - 1).number();
            String at = "cut at byte " + cut + " (" + k + " complete generations)";
            assertEquals(all.subList(0, upTo(whole, lastComplete)), p.describeAll(), at);
            assertEquals(k, p.syncs(), at);
            if (k > 0 && cut == gens.get(k - 1).endOffset()) {
                assertNull(p.error(), () -> at + ": a cut on a generation boundary is a valid trace, got "
                        + p.error().getMessage());
                continue;
            }
            TraceFormatException e = p.error();
            assertNotNull(e, at + ": no error");
            assertTrue(e.truncated(), at + ": " + e.getMessage());
            assertEquals(cut, e.offset(), at + ": " + e.getMessage());
            assertTrue(e.getMessage().startsWith("trace truncated at byte " + cut), e.getMessage());
            if (k < gens.size() && cut > gens.get(k).startOffset() + 2) { // past the gen field of its first batch
                long g = gens.get(k).number();
                assertEquals(g, e.generation(), at + ": " + e.getMessage());
                assertTrue(e.getMessage().startsWith("trace truncated at byte " + cut + " in generation " + g + ": "),
                        e.getMessage());
            }
            checked++;
        }
        assertTrue(checked > 300, "cuts checked: " + checked);
    }

    @Test
    void everyCutOfAGoRuntimeTraceYieldsTheCompleteGenerationsFirst() {
        Parsed whole = Parsed.of(GO_LAYOUT);
        List<Generation> gens = whole.generations();
        List<String> all = whole.describeAll();
        TreeSet<Long> boundaries = new TreeSet<>();
        TraceBytes.batches(GO_LAYOUT).forEach(b -> boundaries.add(b.end()));
        for (int cut : cuts(GO_LAYOUT, 211)) {
            Parsed p = Parsed.of(Arrays.copyOf(GO_LAYOUT, cut));
            int k = complete(gens, cut);
            long lastComplete = k == 0 ? 0 : gens.get(k - 1).number();
            String at = "cut at byte " + cut;
            List<String> expected = all.subList(0, upTo(whole, lastComplete));
            List<String> got = p.describeAll();
            assertTrue(got.size() >= expected.size() && got.subList(0, expected.size()).equals(expected),
                    at + ": the complete generations must come first, unchanged");
            if (cut >= BatchLayout.FILE_HEADER.length && !boundaries.contains((long) cut)) {
                // Inside a batch: always a truncation error, and never before the complete generations.
                assertNotNull(p.error(), at);
                assertTrue(p.error().truncated(), at + ": " + p.error().getMessage());
                assertTrue(p.error().getMessage().startsWith("trace truncated at byte " + cut), p.error().getMessage());
            }
            if (p.error() != null && k > 0) {
                assertTrue(p.error().generation() > lastComplete, at + ": " + p.error().getMessage());
            }
        }
    }

    @Test
    void goAlsoRejectsCutsInsideABatch(@TempDir Path dir) throws IOException {
        List<TraceBytes.RawBatch> batches = TraceBytes.batches(WRITER_LAYOUT);
        for (int i = 1; i < batches.size(); i += Math.max(1, batches.size() / 8)) {
            TraceBytes.RawBatch b = batches.get(i);
            int cut = (int) (b.offset() + b.headerSize() + b.data().length / 2);
            Path file = dir.resolve("cut-" + cut + ".trace");
            Files.write(file, Arrays.copyOf(WRITER_LAYOUT, cut));
            String go = GoJudge.assertInvalid(file);
            TraceFormatException ours = Parsed.of(file).error();
            assertNotNull(ours, "we must reject what Go rejects (" + go + ")");
            assertTrue(ours.truncated(), ours.getMessage());
        }
    }
}
