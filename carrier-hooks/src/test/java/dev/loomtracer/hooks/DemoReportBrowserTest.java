package dev.loomtracer.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.analysis.Analysis;
import dev.loomtracer.analysis.AnalysisOptions;
import dev.loomtracer.analysis.AnalysisResult;
import dev.loomtracer.analysis.TextReport;
import dev.loomtracer.cli.Analyze;
import dev.loomtracer.testing.CheckedTrace;
import dev.loomtracer.testing.Chromium;
import dev.loomtracer.testing.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code loomtrace demo} under the agent leaves a {@code demo.html} beside {@code demo.trace}; in a
 * real headless Chromium the page has no script errors, loads nothing from the network, renders
 * every section with content, embeds exactly {@code analyze --json}'s document and shows its
 * numbers as {@code analyze} words them, and says where the requests' time went. Screenshots of
 * each section go to {@code target/report-screenshots/} (test artifacts; look at them).
 */
class DemoReportBrowserTest {
    static final List<String> SECTIONS = List.of("headline", "tasks", "sched", "blocking", "pinning", "carriers", "groups",
            "timeline");

    private static Path trace;
    private static Path html;
    private static AnalysisResult result;
    private static Object analyzeJson;
    private static Chromium browser;
    private static Chromium.Page page;

    @BeforeAll
    static void demo() throws Exception {
        Path dir = TestFiles.dir("report");
        trace = dir.resolve("demo.trace");
        html = dir.resolve("demo.html");
        Files.deleteIfExists(html);
        AgentJvm.Run run = AgentJvm.run("", List.of(), "dev.loomtracer.cli.Demo", "-o", trace.toString(), "--requests", "400");
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("Its report, where the requests spent their time: " + html.toUri()), run.output());
        assertTrue(Files.isRegularFile(html), run.output());
        CheckedTrace.of(trace); // the project's validator and Go's parser
        result = Analysis.of(trace, AnalysisOptions.defaults());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, Analyze.run(new String[] {"--json", trace.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false), err.toString(StandardCharsets.UTF_8));
        analyzeJson = Json.parse(out.toString(StandardCharsets.UTF_8));
        browser = Chromium.launch();
        page = browser.open(html, 1300, 900);
    }

    @AfterAll
    static void close() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void noScriptErrorsAndNoNetwork() {
        assertEquals(List.of(), page.errors());
        assertEquals(List.of(html.toUri().toString()), page.requests());
        assertEquals("true", page.eval("document.body.getAttribute('data-rendered')"));
    }

    @Test
    void embedsExactlyAnalyzeJson() {
        Object embedded = page.eval("JSON.parse(document.getElementById('loomtrace-data').textContent).analysis");
        // The trace-derived document; Runtime.evaluate returns numbers as JSON numbers, compare as text.
        assertEquals(normal(analyzeJson), normal(embedded));
    }

    @Test
    void everySectionHasContentAndScreenshots() throws Exception {
        Path shots = Path.of("target", "report-screenshots");
        for (String id : SECTIONS) {
            Object text = page.eval("document.getElementById('" + id + "').innerText.length");
            assertTrue(((Number) text).longValue() > 80, id + " has almost no text: " + text);
            page.screenshot("#" + id, shots.resolve("demo-" + id + ".png"));
        }
        page.screenshot("body", shots.resolve("demo-page.png"));
        for (String id : List.of("tasks", "sched", "carriers", "timeline")) {
            Object canvases = page.eval("document.querySelectorAll('#" + id + " canvas').length");
            assertTrue(((Number) canvases).intValue() >= 1, id + " has no chart");
        }
        // The demo traces with stacks on block: the blocked-time flame graph is drawn, with frames.
        Object nodes = page.eval("Number(document.querySelector('[data-flame=blocked]').getAttribute('data-nodes'))");
        assertTrue(((Number) nodes).intValue() > 3, "flame graph nodes: " + nodes);
        Object lanes = page.eval("Number(document.querySelector('#timeline canvas').getAttribute('data-lanes'))");
        Object segs = page.eval("Number(document.querySelector('#timeline canvas').getAttribute('data-segments'))");
        assertTrue(((Number) lanes).intValue() >= result.carriers().count(), "lanes " + lanes);
        assertTrue(((Number) segs).longValue() > 100, "segments " + segs);
    }

    @Test
    void headlineSaysWhereTheRequestsSpentTheirTime() {
        Object items = page.eval("[...document.querySelectorAll('#headline-list li')].map(li => li.textContent)");
        assertEquals(TextReport.headlines(result), items);
        @SuppressWarnings("unchecked")
        List<String> lines = (List<String>) items;
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("Task request: ") && l.contains("Where their time went: ")
                && l.contains("blocked on ") && l.contains("waiting for a carrier") && l.contains("running")), lines.toString());
    }

    @Test
    void tablesShowAnalyzeNumbers() {
        AnalysisResult.TaskType request = result.tasks().stream().filter(t -> t.type().equals("request")).findFirst().orElseThrow();
        assertEquals(400, request.count());
        String row = "#task-types tr[data-task-type=\"request\"]";
        assertCell(row, "count", String.format("%,d", request.count()), request.count());
        assertCell(row, "p50Nanos", TextReport.dur(request.p50Nanos()), request.p50Nanos());
        assertCell(row, "p99Nanos", TextReport.dur(request.p99Nanos()), request.p99Nanos());
        assertCell(row, "maxNanos", TextReport.dur(request.maxNanos()), request.maxNanos());
        assertEquals(request.count(), ((Number) page.eval("Number(document.querySelector('#tasks .chart').getAttribute('data-total'))")).longValue());

        AnalysisResult.Distribution s = result.schedLatency();
        assertTrue(s.count() > 400, "scheduler waits " + s.count());
        assertCell("#sched-stats", "count", String.format("%,d", s.count()), s.count());
        assertCell("#sched-stats", "p50Nanos", TextReport.dur(s.p50Nanos()), s.p50Nanos());
        assertCell("#sched-stats", "p99Nanos", TextReport.dur(s.p99Nanos()), s.p99Nanos());
        assertCell("#sched-stats", "maxNanos", TextReport.dur(s.maxNanos()), s.maxNanos());
        assertCell("#sched-stats", "totalNanos", TextReport.dur(s.totalNanos()), s.totalNanos());
        assertEquals(s.count(), ((Number) page.eval("Number(document.querySelector('#sched .chart').getAttribute('data-total'))")).longValue());

        assertFalse(result.blocking().isEmpty());
        // One row per untimed reason, as analyze's text has them: the demo's sleeps of 1, 2 and 3 ms are one "sleep" row.
        List<AnalysisResult.ReasonGroup> kinds = AnalysisResult.byUntimedReason(result.blocking());
        Object reasons = page.eval("[...document.querySelectorAll('#block-reasons tbody tr[data-reason]')].map(r => r.getAttribute('data-reason'))");
        assertEquals(kinds.stream().map(g -> g.all().reason()).toList(), reasons);
        assertTrue(result.blocking().stream().filter(r -> r.reason().startsWith("sleep ")).count() > 1,
                "the demo sleeps for several lengths: " + result.blocking());
        for (AnalysisResult.ReasonGroup g : kinds) {
            String sel = "#block-reasons tr[data-reason=\"" + g.all().reason() + "\"]";
            assertCell(sel, "count", String.format("%,d", g.all().count()), g.all().count());
            assertCell(sel, "totalNanos", TextReport.dur(g.all().totalNanos()), g.all().totalNanos());
            for (AnalysisResult.Reason f : TextReport.formsListed(g)) {
                assertCell("#block-reasons tr[data-form=\"" + f.reason() + "\"]", "count", String.format("%,d", f.count()), f.count());
            }
        }
        assertCell("#pinned-stats", "count", String.format("%,d", result.pinned().count()), result.pinned().count());
    }

    @Test
    void clickingASlowTaskShowsItsSteps() {
        Object ids = page.eval("[...document.querySelectorAll('#slowest-tasks tbody tr')].map(r => Number(r.getAttribute('data-task-id')))");
        assertEquals(result.slowestTasks().stream().map(AnalysisResult.TaskReport::id).toList(),
                ((List<?>) ids).stream().map(o -> ((Number) o).longValue()).toList());
        assertEquals("none", page.eval("getComputedStyle(document.getElementById('task-steps')).display"));
        page.eval("document.querySelector('#slowest-tasks tbody tr').click(), true");
        assertEquals("block", page.eval("getComputedStyle(document.getElementById('task-steps')).display"));
        Object steps = page.eval("document.querySelectorAll('#task-steps tbody tr').length");
        assertEquals((long) result.slowestTasks().getFirst().longestSteps().size(), ((Number) steps).longValue());
    }

    private static void assertCell(String rowSelector, String key, String text, long value) {
        String cell = rowSelector + " td[data-key=" + key + "]";
        Object shown = page.eval("(() => { const c = document.querySelector(" + Json.quote(cell) + ");"
                + " return c ? [c.textContent, c.getAttribute('data-nanos') ?? c.getAttribute('data-count')] : null; })()");
        assertEquals(List.of(text, Long.toString(value)), shown, cell);
    }

    /** JSON values compared by meaning: every number as a double. */
    private static Object normal(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new java.util.HashMap<>();
            m.forEach((k, x) -> out.put(k, normal(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            return l.stream().map(DemoReportBrowserTest::normal).toList();
        }
        return v instanceof Number n ? (Object) n.doubleValue() : v;
    }
}
