package dev.loomtracer.analysis;

import static dev.loomtracer.testing.Spi.blocks;
import static dev.loomtracer.testing.Spi.runsToEnd;
import static dev.loomtracer.testing.Spi.tracedThread;
import static dev.loomtracer.testing.Spi.unblocked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.analysis.AnalysisResult.Reason;
import dev.loomtracer.analysis.AnalysisResult.ReasonGroup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Timed waits ({@code sleep 1 ms}, {@code sync: park X (timeout 2 ms)}) are grouped under their
 * untimed reason in the text's by-reason table and headline, so many sleep lengths do not
 * fragment it; a few lengths are listed under their kind, many are summarised; {@code --json}'s
 * {@code blocking} keeps one row per reason as traced.
 */
class TimedReasonsTest {
    @TempDir
    Path dir;

    @Test
    void groupsSumTheirFormsAndListTheLargestFirst() {
        List<ReasonGroup> g = AnalysisResult.byUntimedReason(List.of(
                new Reason("sleep 1 ms", 2, 10, 6, 1),
                new Reason("sleep 2 ms", 1, 30, 30, 2),
                new Reason("sync: park X", 1, 5, 5, 0),
                new Reason("sync: park X (timeout 2 ms)", 3, 50, 20, 4)));
        assertEquals(2, g.size(), g.toString());
        assertEquals(new Reason("sync: park X", 4, 55, 20, 4), g.get(0).all());
        assertEquals(List.of("sync: park X (timeout 2 ms)", "sync: park X"), g.get(0).forms().stream().map(Reason::reason).toList());
        assertEquals(new Reason("sleep", 3, 40, 30, 3), g.get(1).all());
        assertEquals(List.of("sleep 2 ms", "sleep 1 ms"), g.get(1).forms().stream().map(Reason::reason).toList());
    }

    @Test
    void aFewLengthsAreListedUnderTheirKindManyAreSummarised() throws Exception {
        AnalysisResult few = analyse("few.trace", List.of("sleep 1 ms", "sleep 2 ms", "sleep 1 ms", "network"));
        assertEquals(3, few.blocking().size(), "--json keeps one row per reason as traced: " + few.blocking());
        String text = TextReport.of(few);
        List<String> lines = text.lines().toList();
        int row = lines.indexOf(lines.stream().filter(l -> l.matches("    sleep +3  total .*")).findFirst().orElseThrow(() ->
                new AssertionError("one sleep row of 3 blocks: " + text)));
        // Under it, its forms, most total first (which one is larger is up to the machine's timing).
        assertEquals(java.util.Set.of("sleep 1 ms 2", "sleep 2 ms 1"), java.util.Set.of(
                lines.get(row + 1).strip().replaceAll(" +", " ").replaceAll(" total.*", ""),
                lines.get(row + 2).strip().replaceAll(" +", " ").replaceAll(" total.*", "")), text);
        assertTrue(text.matches("(?s).*\n    network +1  total [^\n]*\n(?!      ).*"), "an untimed reason has no sub-rows: " + text);
        assertTrue(text.matches("(?s).*\nMost blocked time: [^\n]*blocked on sleep [^\n]* \\(3 blocks\\)[^\n]*\n.*"),
                "the headline sums the sleeps: " + text);

        List<String> many = new ArrayList<>();
        for (int ms = 1; ms <= TextReport.TIMED_FORMS_SHOWN + 2; ms++) {
            many.add("sleep " + ms + " ms");
        }
        AnalysisResult r = analyse("many.trace", many);
        String t = TextReport.of(r);
        assertTrue(t.matches("(?s).*\n    sleep +" + many.size() + "  total .*\n      " + many.size()
                + " forms, asking 1.00 ms to " + many.size() + ".00 ms \\(--json blocking has each\\)\n.*"), t);
        assertTrue(!t.contains("      sleep 1 ms"), "many forms are not listed: " + t);
        assertTrue(t.contains("    (sleep)   "), "the blocker table groups them too: " + t);
    }

    /** One virtual thread blocking once per reason, each block ended by an unblock, in a trace both judges check. */
    private AnalysisResult analyse(String name, List<String> reasons) throws Exception {
        Path file = tracedThread(dir.resolve(name), (t, vt) -> {
            for (String reason : reasons) {
                blocks(t, "carrier", vt, reason);
                unblocked(t, "waker", vt);
            }
            runsToEnd(t, "carrier", vt);
        }).trace().file;
        return Analysis.of(file, AnalysisOptions.defaults());
    }
}
