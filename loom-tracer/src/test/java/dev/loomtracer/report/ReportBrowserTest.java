package dev.loomtracer.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.LoomTrace;
import dev.loomtracer.Region;
import dev.loomtracer.Task;
import dev.loomtracer.TraceOptions;
import dev.loomtracer.analysis.TextReport;
import dev.loomtracer.cli.Report;
import dev.loomtracer.format.BlockReasons;
import dev.loomtracer.format.EventType;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.testing.CheckedTrace;
import dev.loomtracer.testing.Chromium;
import dev.loomtracer.testing.Spi;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loomtrace report} on bad and hostile input, checked in a real headless Chromium: strings
 * from the trace that look like markup (a task type {@code </script><script>...}, a region
 * {@code <img onerror=...>}) are shown as text and never run; a truncated trace fails without
 * writing a file, and with {@code --partial} its report says so at the top; an invalid trace fails
 * before writing anything; a trace written by Go's own runtime renders without script errors.
 * (Thread names are not in the trace format written today; the strings a trace carries to the page
 * -- task types, regions, logs, block reasons, frames -- all take the path tested here.)
 */
class ReportBrowserTest {
    static final String EVIL_TASK = "</script><script>window.__pwned = 1</script>";
    static final String EVIL_REGION = "<img src=x onerror=\"window.__pwned = 2\">";

    private static Chromium browser;

    @BeforeAll
    static void start() throws Exception {
        browser = Chromium.launch();
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    record Cli(int exit, String out, String err) {}

    static Cli report(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Report.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Cli(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void markupInTheTraceIsShownAsTextAndNeverRuns(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("evil.trace");
        try (OutputStream os = Files.newOutputStream(trace)) {
            LoomTrace.start(os, TraceOptions.defaults());
            try {
                for (int i = 0; i < 3; i++) {
                    try (Task t = Task.begin(EVIL_TASK); Region r = t.region(EVIL_REGION)) {
                        t.log("<b>category</b>", "<script>window.__pwned = 3</script>");
                    }
                }
            } finally {
                LoomTrace.stop();
            }
        }
        CheckedTrace.of(trace);
        Path html = dir.resolve("evil.html");
        Cli cli = report(trace.toString(), "-o", html.toString());
        assertEquals(0, cli.exit(), cli.err());
        String text = Files.readString(html);
        assertFalse(text.contains(EVIL_TASK), "the task type is in the file unescaped");
        assertFalse(text.contains(EVIL_REGION), "the region is in the file unescaped");

        Chromium.Page page = browser.open(html, 1300, 900);
        assertEquals(List.of(), page.errors());
        assertEquals(true, page.eval("window.__pwned === undefined"));
        assertEquals(3L, page.eval("document.scripts.length")); // data, uPlot, the report: nothing injected
        assertEquals(0L, page.eval("document.querySelectorAll('img').length"));
        assertEquals(EVIL_TASK, page.eval("document.querySelector('#task-types tbody td').textContent"));
        assertEquals(EVIL_TASK, page.eval("JSON.parse(document.getElementById('loomtrace-data').textContent).analysis.tasks[0].type"));
        page.screenshot("#tasks", Path.of("target", "report-screenshots", "evil-tasks.png"));
    }

    @Test
    void truncatedTraceFailsWithoutFileAndWithPartialSaysSoAtTheTop(@TempDir Path dir) throws Exception {
        byte[] whole = goTrace("basic.trace");
        Path trace = dir.resolve("cut.trace");
        Files.write(trace, Arrays.copyOf(whole, whole.length * 85 / 100));
        Path html = dir.resolve("cut.html");

        Cli refused = report(trace.toString(), "-o", html.toString());
        assertEquals(1, refused.exit(), refused.err());
        assertTrue(refused.err().contains("truncated") && refused.err().contains("--partial"), refused.err());
        assertFalse(Files.exists(html), "a report was written for a truncated trace without --partial");
        assertEquals(List.of(), leftovers(dir));

        Cli partial = report(trace.toString(), "-o", html.toString(), "--partial");
        assertEquals(0, partial.exit(), partial.err());
        Chromium.Page page = browser.open(html, 1300, 900);
        assertEquals(List.of(), page.errors());
        String banner = (String) page.eval("document.getElementById('partial-banner').textContent");
        assertTrue(banner.startsWith("Partial trace: this report covers only the complete generations"), banner);
        assertTrue(banner.contains("truncated"), banner);
        // At the top: above the first section, inside the first screen.
        Object top = page.eval("document.getElementById('partial-banner').getBoundingClientRect().top");
        Object first = page.eval("document.getElementById('headline').getBoundingClientRect().top");
        assertTrue(((Number) top).doubleValue() < ((Number) first).doubleValue() && ((Number) top).doubleValue() < 200,
                "banner at " + top + ", first section at " + first);
        page.screenshot("body", Path.of("target", "report-screenshots", "partial-page.png"));
    }

    @Test
    void invalidTraceFailsBeforeWritingAnything(@TempDir Path dir) throws Exception {
        byte[] bad = goTrace("basic.trace");
        bad = Arrays.copyOf(bad, bad.length);
        for (int i = 16; i < 400; i++) {
            bad[i] = (byte) 0xff; // the first batch's header and events: garbage
        }
        Path trace = dir.resolve("bad.trace");
        Files.write(trace, bad);
        Path html = dir.resolve("bad.html");
        byte[] before = "an older report".getBytes(StandardCharsets.UTF_8);
        Files.write(html, before);

        Cli cli = report(trace.toString(), "-o", html.toString());
        assertEquals(1, cli.exit(), cli.err());
        assertTrue(cli.err().contains("byte") && cli.err().contains("no report written"), cli.err());
        assertFalse(cli.err().contains("\tat "), "a stack trace: " + cli.err());
        assertArrayEquals(before, Files.readAllBytes(html), "the existing file was touched");
        assertEquals(List.of(), leftovers(dir));

        assertEquals(2, report(trace.toString()).exit());
        assertEquals(2, report("-o", html.toString()).exit());
        assertEquals(2, report(dir.resolve("missing.trace").toString(), "-o", html.toString()).exit());
    }

    @Test
    void traceWrittenByGoRendersEverySection(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("basic.trace");
        Files.write(trace, goTrace("basic.trace"));
        Path html = dir.resolve("basic.html");
        Cli cli = report(trace.toString(), "-o", html.toString());
        assertEquals(0, cli.exit(), cli.err());
        Chromium.Page page = browser.open(html, 1300, 900);
        assertEquals(List.of(), page.errors());
        assertEquals(List.of(html.toUri().toString()), page.requests());
        for (String id : List.of("headline", "tasks", "sched", "blocking", "pinning", "carriers", "groups", "timeline")) {
            assertTrue(((Number) page.eval("document.getElementById('" + id + "').innerText.length")).intValue() > 40, id);
        }
    }

    /**
     * The blocking table sums timed waits under their untimed reason, as {@code analyze}'s text
     * does ({@code AnalysisResult.byUntimedReason}): sleeps of three lengths are one {@code sleep}
     * row, the lengths listed under it; a timed {@code Object.wait} is listed under its kind; an
     * untimed park stands alone; a monitor enter's block brings analyze's note on monitor spins.
     * The counts are the trace's own GoBlock events, counted here.
     */
    @Test
    void aTimedReasonAppearsOnceUnderItsKind(@TempDir Path dir) throws Exception {
        String wait = BlockReasons.timed(BlockReasons.WAIT, 2_000_000);
        List<String> reasons = List.of("sleep 5 ms", "sleep 7 ms", "sleep 5 ms", "sleep 9 ms", BlockReasons.PARK, wait, BlockReasons.MONITOR);
        CheckedTrace trace = Spi.tracedThread(dir.resolve("timed.trace"), (t, vt) -> {
            for (String reason : reasons) {
                Spi.blocks(t, "carrier", vt, reason);
                Spi.unblocked(t, "waker", vt);
            }
            Spi.runsToEnd(t, "carrier", vt);
        }).trace();
        Map<String, Long> blocks = new TreeMap<>(); // by reason as traced
        for (TraceEvent e : trace.events) {
            if (e.type() == EventType.GO_BLOCK) {
                blocks.merge(e.reason(), 1L, Long::sum);
            }
        }
        assertEquals(Map.of("sleep 5 ms", 2L, "sleep 7 ms", 1L, "sleep 9 ms", 1L, "park", 1L, wait, 1L, BlockReasons.MONITOR, 1L), blocks);
        Path html = dir.resolve("timed.html");
        Cli cli = report(trace.file.toString(), "-o", html.toString());
        assertEquals(0, cli.exit(), cli.err());

        Chromium.Page page = browser.open(html, 1300, 900);
        assertEquals(List.of(), page.errors());
        // Each row: its kind (data-reason) or its form (data-form), and its count; forms follow their kind.
        Object shown = page.eval("[...document.querySelectorAll('#block-reasons tbody tr')].map(r => [r.getAttribute('data-reason') ?? '',"
                + " r.getAttribute('data-form') ?? '', r.querySelector('td[data-key=count]')?.getAttribute('data-count') ?? ''])");
        Map<String, Long> kinds = new TreeMap<>();
        Map<String, Long> forms = new TreeMap<>();
        String kind = null;
        for (Object o : (List<?>) shown) {
            List<?> row = (List<?>) o;
            if (!row.get(0).equals("")) {
                kind = (String) row.get(0);
                assertEquals(null, kinds.put(kind, Long.parseLong((String) row.get(2))), "a second row for " + kind + ": " + shown);
            } else {
                String form = (String) row.get(1);
                assertEquals(kind, BlockReasons.untimed(form), form + " listed under " + kind + ": " + shown);
                forms.put(form, Long.parseLong((String) row.get(2)));
            }
        }
        assertEquals(Map.of("sleep", 4L, "park", 1L, BlockReasons.WAIT, 1L, BlockReasons.MONITOR, 1L), kinds, "one row per kind: " + shown);
        Map<String, Long> timed = new TreeMap<>(blocks);
        timed.remove("park");
        timed.remove(BlockReasons.MONITOR);
        assertEquals(timed, forms, "the timed forms, each once, under their kind: " + shown);
        // A monitor enter's block: the page says what analyze's text says under its table.
        assertEquals("Note: " + TextReport.MONITOR_NOTE + ".", page.eval("document.getElementById('blocking-note')?.textContent ?? null"));
        page.screenshot("#blocking", Path.of("target", "report-screenshots", "timed-blocking.png"));
    }

    /** Temporary files the report command left in {@code dir}. */
    private static List<Path> leftovers(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    private static byte[] goTrace(String name) throws Exception {
        try (InputStream in = ReportBrowserTest.class.getResourceAsStream("/go-traces/" + name)) {
            return in.readAllBytes();
        }
    }
}
