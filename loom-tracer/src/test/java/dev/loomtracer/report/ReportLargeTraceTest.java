package dev.loomtracer.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.analysis.Analysis;
import dev.loomtracer.analysis.AnalysisOptions;
import dev.loomtracer.analysis.AnalysisResult;
import dev.loomtracer.testing.BigTrace;
import dev.loomtracer.testing.CheckedTrace;
import dev.loomtracer.testing.Chromium;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a trace of more than 200 MB stays under 10 MB and renders in a real browser, with
 * a timeline of chosen windows that says so. The big trace is written straight through the engine
 * ({@link BigTrace}); its validity is checked by the analysis, which parses with the project's
 * validator; Go's parser judges a small trace written by the same code (Go takes minutes and
 * gigabytes on the big one).
 */
class ReportLargeTraceTest {
    static final long BIG = 205L << 20;
    static final long BOUND = 10L << 20;

    @Test
    void theWriterOfTheBigTraceWritesTracesGoAccepts(@TempDir Path dir) throws Exception {
        Path small = dir.resolve("small.trace");
        BigTrace.Written w = BigTrace.write(small, 1L << 20, 2, 64);
        CheckedTrace.of(small);
        AnalysisResult r = Analysis.of(small, AnalysisOptions.defaults());
        long ended = r.tasks().stream().mapToLong(AnalysisResult.TaskType::count).sum();
        assertEquals(w.tasks(), ended, "every task begun ended");
    }

    @Test
    void aReportOfA200MBTraceStaysUnder10MBAndRenders(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("big.trace");
        Path html = dir.resolve("big.html");
        try {
            long t0 = System.nanoTime();
            BigTrace.Written w = BigTrace.write(trace, BIG, 2, 256);
            long t1 = System.nanoTime();
            ReportBrowserTest.Cli cli = ReportBrowserTest.report(trace.toString(), "-o", html.toString());
            long t2 = System.nanoTime();
            assertEquals(0, cli.exit(), cli.err());
            long size = Files.size(html);
            System.out.printf("ReportLargeTraceTest: wrote %d MB (%d tasks) in %.1f s; report %d bytes in %.1f s%n",
                    w.bytes() >> 20, w.tasks(), (t1 - t0) / 1e9, size, (t2 - t1) / 1e9);
            Files.delete(trace);
            assertTrue(size <= BOUND, "the report is " + size + " bytes");

            try (Chromium browser = Chromium.launch()) {
                long t3 = System.nanoTime();
                Chromium.Page page = browser.open(html, 1300, 900);
                System.out.printf("ReportLargeTraceTest: the page loaded and rendered in %.1f s%n", (System.nanoTime() - t3) / 1e9);
                assertEquals(List.of(), page.errors());
                String note = (String) page.eval("document.getElementById('timeline-note').textContent");
                assertTrue(note.startsWith("This trace is large (") && note.contains("not the whole trace"), note);
                for (String id : List.of("headline", "tasks", "sched", "blocking", "carriers", "timeline")) {
                    assertTrue(((Number) page.eval("document.getElementById('" + id + "').innerText.length")).intValue() > 80, id);
                }
                // What the canvas drew against what the file holds. How many segments the windows
                // hold depends on the machine's timing while BigTrace wrote (a slow task on a loaded
                // machine is one whose writer was descheduled, so its window is sparse): a fixed lower
                // bound failed once under load ("timeline segments: 260"), so the bound is the budget.
                long drawn = ((Number) page.eval("Number(document.querySelector('#timeline canvas').getAttribute('data-segments'))")).longValue();
                long held = ((Number) page.eval("JSON.parse(document.getElementById('loomtrace-data').textContent)"
                        + ".report.timeline.lanes.reduce((a, l) => a + l.segs.length / 4, 0)")).longValue();
                long windows = ((Number) page.eval("JSON.parse(document.getElementById('loomtrace-data').textContent)"
                        + ".report.timeline.windows.length")).longValue();
                System.out.printf("ReportLargeTraceTest: %d windows, %d timeline segments%n", windows, held);
                assertEquals(held, drawn, "segments drawn against segments in the page's data");
                assertTrue(windows >= 1 && held > 0 && held <= windows * HtmlReport.TIMELINE_SEGMENTS,
                        held + " segments in " + windows + " windows");
                Object count = page.eval("JSON.parse(document.getElementById('loomtrace-data').textContent).analysis.trace.bytes");
                assertEquals(w.bytes(), ((Number) count).longValue());
                page.screenshot("#timeline", Path.of("target", "report-screenshots", "large-timeline.png"));
            }
        } finally {
            Files.deleteIfExists(trace);
            Files.deleteIfExists(html);
        }
    }
}
