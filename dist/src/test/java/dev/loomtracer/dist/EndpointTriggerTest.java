package dev.loomtracer.dist;

import dev.loomtracer.format.EventType;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.testing.CheckedTrace;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's own endpoints ({@code http=}) and flight-recorder triggers, in child JVMs started
 * with nothing but {@code -javaagent:dist/loomtrace.jar=...}.
 */
class EndpointTriggerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aSlowRequestMakesExactlyOneSnapshotHoldingItAndFastOnesNone() throws Exception {
        Path dir = Jvm.emptyDirWithJar("trigger");
        Path snaps = dir.resolve("snaps");
        String agent = "-javaagent:" + dir.resolve("loomtrace.jar") + "=http=127.0.0.1:0,trigger=task>500ms,snapshots=" + snaps
                + ",period=200ms";
        try (Jvm child = Jvm.start(dir, List.of(agent), TriggerChild.class.getName())) {
            String base = child.lineStartingWith("http ").substring(5);
            assertTrue(base.startsWith("http://127.0.0.1:"), base);

            child.send("fast");
            assertEquals("fast done; snapshots 0", child.line());
            assertEquals(List.of(), list(snaps), "nothing slow: no snapshot");

            // The endpoints: the flight recorder (on for the triggers) holds the tracer.
            HttpResponse<byte[]> flight = get(base + "/debug/flight");
            assertEquals(200, flight.statusCode());
            Path snap = dir.resolve("flight.trace");
            Files.write(snap, flight.body());
            CheckedTrace.of(snap);
            HttpResponse<byte[]> busy = get(base + "/debug/trace?seconds=1");
            assertEquals(409, busy.statusCode(), new String(busy.body()));
            assertTrue(new String(busy.body()).contains("GET /debug/flight for a snapshot"), new String(busy.body()));
            assertEquals(400, get(base + "/debug/trace?seconds=abc").statusCode());

            child.send("slow");
            assertEquals("slow done; snapshots 1", child.line());
            child.send("fast");
            assertEquals("fast done; snapshots 1", child.line());

            List<Path> files = list(snaps);
            assertEquals(1, files.size(), "exactly one snapshot: " + files);
            assertTrue(files.get(0).getFileName().toString().matches("loomtrace-\\d{8}T\\d{6}\\.\\d{3}Z-task-over-500ms\\.trace"),
                    files.get(0).toString());
            CheckedTrace t = CheckedTrace.of(files.get(0)); // both judges
            long begin = -1;
            long end = -1;
            long id = -1;
            for (TraceEvent e : t.events) {
                if (e.type() == EventType.USER_TASK_BEGIN && "slow-request".equals(e.name())) {
                    begin = e.time();
                    id = e.task();
                } else if (e.type() == EventType.USER_TASK_END && e.task() == id) {
                    end = e.time();
                }
            }
            assertTrue(begin >= 0 && end > begin, "the snapshot holds the slow request, begin and end");
            assertTrue(end - begin > 500_000_000L, "it lasted over 500 ms in the trace: " + (end - begin) + " ns");
            assertEquals(0, child.exit());
            String err = child.stderrText();
            assertTrue(err.contains("trigger task>500ms: task 'slow-request'") && err.contains(files.get(0).toString()), err);
        }
    }

    @Test
    void pinnedBlockAndSchedlatTriggersEachWriteTheirSnapshot() throws Exception {
        Path dir = Jvm.emptyDirWithJar("trigger-kinds");
        Path snaps = dir.resolve("snaps");
        String agent = "-javaagent:" + dir.resolve("loomtrace.jar") + "=trigger=pinned>200ms,trigger=block>300ms,"
                + "trigger=schedlat>150ms,snapshots=" + snaps + ",snapshot-interval=1ms,period=200ms";
        try (Jvm child = Jvm.start(dir, List.of("-Djdk.virtualThreadScheduler.parallelism=1", agent),
                TriggerKindsChild.class.getName())) {
            assertEquals("ready", child.line());
            for (String kind : List.of("pinned", "block", "schedlat")) {
                child.send(kind);
                assertEquals(kind + " done", child.line());
                List<Path> files = list(snaps);
                Path newest = files.get(files.size() - 1);
                assertTrue(newest.getFileName().toString().contains("-" + kind + "-over-"),
                        kind + " made its own snapshot, caused by it: " + files + "\n" + child.stderrText());
                CheckedTrace.of(newest);
            }
            assertEquals(3, list(snaps).size(), "one snapshot per span: " + list(snaps));
            assertEquals(0, child.exit());
            String err = child.stderrText();
            assertTrue(err.contains("trigger pinned>200ms: goroutine") && err.contains("trigger block>300ms: goroutine")
                    && err.contains("trigger schedlat>150ms: goroutine"), err);
        }
    }

    @Test
    void endpointsWithATokenStreamATraceAndRefuseOthers() throws Exception {
        Path dir = Jvm.emptyDirWithJar("endpoints");
        Path token = dir.resolve("debug.token");
        Files.writeString(token, "0123456789abcdef0123\n");
        String agent = "-javaagent:" + dir.resolve("loomtrace.jar") + "=http=127.0.0.1:0,http-token-file=" + token;
        try (Jvm child = Jvm.start(dir, List.of(agent), TriggerChild.class.getName() + "$NoTriggers")) {
            String base = child.lineStartingWith("http ").substring(5);
            assertEquals(401, get(base + "/debug/trace?seconds=1").statusCode());
            String auth = "Bearer 0123456789abcdef0123";
            // A streamed trace holds the tracer from its first byte: the response's headers come
            // with it, and a second request then gets 409.
            CompletableFuture<HttpResponse<InputStream>> first = http.sendAsync(HttpRequest.newBuilder(
                    URI.create(base + "/debug/trace?seconds=4")).header("Authorization", auth).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            HttpResponse<InputStream> streaming = first.get();
            assertEquals(200, streaming.statusCode());
            HttpResponse<byte[]> second = http.send(HttpRequest.newBuilder(URI.create(base + "/debug/trace?seconds=1"))
                    .header("Authorization", auth).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(409, second.statusCode(), new String(second.body()));
            Path trace = dir.resolve("endpoint.trace");
            try (InputStream in = streaming.body()) {
                Files.copy(in, trace);
            }
            CheckedTrace.of(trace);
            // The report of the next second, rendered in the target (the report's own tests check its page).
            HttpResponse<String> report = http.send(HttpRequest.newBuilder(URI.create(base + "/debug/report?seconds=1"))
                    .header("Authorization", auth).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, report.statusCode(), report.body());
            assertTrue(report.headers().firstValue("Content-Type").orElse("").startsWith("text/html")
                    && report.body().contains("<html"), report.body().substring(0, Math.min(300, report.body().length())));
            child.process.getOutputStream().close();
            assertEquals(0, child.exit());
        }
    }

    private HttpResponse<byte[]> get(String uri) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static List<Path> list(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
