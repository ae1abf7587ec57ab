package dev.loomtracer.examples;

import dev.loomtracer.LoomTrace;
import dev.loomtracer.format.EventType;
import dev.loomtracer.testing.CheckedTrace;
import dev.loomtracer.testing.Chromium;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example server end to end, on an ephemeral loopback port: requests under load, a trace
 * fetched over HTTP while they run and judged by the project's validator and by Go's parser, the
 * one-trace-at-a-time policy (409), the flight recorder snapshot, bad input (400) and the token
 * (401). No timing is asserted: only what the trace and the answers contain.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ExampleServerEndToEndTest {
    @TempDir
    Path tmp;

    private ExampleServer server;
    private int port; // of the server under test, in this JVM or a child
    private String host = "127.0.0.1"; // where the server under test listens

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
        assertFalse(LoomTrace.isRunning(), "closing the server leaves no trace running");
    }

    private static ServerConfig debugConfig() {
        return ServerConfig.defaults().withPort(0).withDebug(true, null).withDownstreamLatency(Duration.ofMillis(2));
    }

    /** Where traces are kept for a look after the run (target/e2e-traces), valid or not. */
    private static Path keep(Path trace, String name) throws IOException {
        Path dir = Path.of("target", "e2e-traces");
        Files.createDirectories(dir);
        return Files.copy(trace, dir.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Load in the background: its result, and a latch that reaches zero once every connection has
     * had its first request answered (the load has reached the server).
     */
    private record Load(CompletableFuture<LoadGenerator.Result> result, java.util.concurrent.CountDownLatch reached) {
        LoadGenerator.Result get(long timeout, TimeUnit unit) throws Exception {
            return result.get(timeout, unit);
        }
    }

    /** Load on the server in the background, for a bounded time. */
    private Load load(int seconds) {
        LoadGenerator.Options o = new LoadGenerator.Options(port, Duration.ofSeconds(seconds), 16,
                // /work passes the lock before the monitor, so the lock paces its arrivals at the
                // monitor; requests to /monitor alone make sure the monitor is contended too.
                Map.of("/work", 14, "/monitor", 3, "/lock", 1, "/pinned", 1, "/hello", 1), 0);
        CompletableFuture<LoadGenerator.Result> f = new CompletableFuture<>();
        java.util.concurrent.CountDownLatch reached = new java.util.concurrent.CountDownLatch(o.connections());
        Thread.ofVirtual().name("test-load").start(() -> {
            try {
                f.complete(LoadGenerator.run(o, reached));
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return new Load(f, reached);
    }

    @Test
    void traceUnderLoadValidatesShowsTheRequestsAndASecondTraceGets409() throws Exception {
        traceUnderLoad(ServerConfig.Scheduler.DEFAULT);
    }

    /**
     * With the capture layer, the trace says why each request's virtual thread blocked: in the
     * downstream call on the network, in the inventory on the ReentrantLock, in the stats section
     * entering the monitor, in the sleep sleeping. Here on an unmodified server: the JDK's default
     * scheduler, traced by the Loom Tracer agent, in a child JVM started with {@code -javaagent}
     * as a user would run it.
     */
    @Test
    void underTheAgentTheTraceShowsWhyRequestsBlock() throws Exception {
        capturedBlocks(dev.loomtracer.hooks.agent.AgentJarLookup.find(), "default", "all", "server-agent.trace");
    }

    /** The same without an agent: the server's virtual threads on Loom Tracer's tracing scheduler. */
    @Test
    void onTheTracingSchedulerTheTraceShowsWhyRequestsBlock() throws Exception {
        capturedBlocks(null, "tracing", "on-block", "server-tracing-scheduler.trace");
    }

    /** Traces taken, at most, until every expected block has shown up in one of them. */
    private static final int MAX_TRACES = 6;

    /**
     * A server in a child JVM under load; 1 s traces, each judged by both judges and checked for
     * what every trace must hold (stacks as asked, tasks, sleeps with their length), until each
     * kind of block the server's regions cause has appeared in one of them. Whether a 1 s window
     * on a loaded 2-core machine catches a contended monitor (a virtual thread spins before it
     * blocks) or a slow downstream read is luck, not capture: the test waits for the event
     * instead of betting on one window, and a capture that never tells a kind fails after
     * {@link #MAX_TRACES} traces.
     */
    private void capturedBlocks(Path agent, String scheduler, String stacks, String keepAs) throws Exception {
        try (Harness.ServerProcess child = Harness.ServerProcess.start(agent, java.util.List.of(),
                java.util.List.of("--port", "0", "--debug", "--scheduler", scheduler), System.err)) {
            port = child.port;
            java.util.Map<String, String> wanted = new java.util.LinkedHashMap<>();
            wanted.put("downstream call", "network");
            wanted.put("inventory lock", dev.loomtracer.format.BlockReasons.parkOn("ReentrantLock$NonfairSync"));
            wanted.put("stats monitor", dev.loomtracer.format.BlockReasons.MONITOR);
            java.util.Set<String> seen = new java.util.TreeSet<>();
            java.util.List<String> history = new java.util.ArrayList<>();
            boolean sleepSeen = false;
            for (int attempt = 1; ; attempt++) {
                Path trace = tmp.resolve(attempt + "-" + keepAs);
                Load load = load(6);
                assertServing(load);
                Thread bursts = monitorBursts();
                assertEquals(200, download("/debug/trace?seconds=1&stacks=" + stacks, null, trace));
                if (agent != null && attempt == 1) {
                    reportOverHttp(); // while the load still runs
                }
                bursts.join();
                keep(trace, keepAs);
                LoadGenerator.Result r = load.get(60, TimeUnit.SECONDS);
                assertTrue(r.ok() > 0 && r.errors() == 0, "every request of the load succeeded: " + r.report()
                        + "; server log " + child.log);

                CheckedTrace checked = CheckedTrace.of(trace);
                // stacks=on-block: stacks where a thread blocks, never on an unblock; stacks=all: on both.
                long blocksWithStack = checked.count(e -> e.type() == EventType.GO_BLOCK && !e.stack().frames().isEmpty());
                long unblocksWithStack = checked.count(e -> e.type() == EventType.GO_UNBLOCK && !e.stack().frames().isEmpty());
                assertTrue(blocksWithStack > 0, "stacks=" + stacks + ": blocks with a stack");
                if (stacks.equals("all")) {
                    assertTrue(unblocksWithStack > 0, "stacks=all: unblocks with a stack");
                } else {
                    assertEquals(0, unblocksWithStack, "stacks=" + stacks + ": unblocks with a stack");
                }
                ServerTraceFacts facts = ServerTraceFacts.of(trace);
                System.out.println(attempt + "-" + keepAs + ": blocks by region " + facts.blocksByRegion() + "; logs " + facts.logs());
                history.add(attempt + ": " + facts.blocksByRegion());
                assertTrue(facts.tasks().getOrDefault("/work", 0L) > 0, "tasks: " + facts.tasks());
                // A sleep's park carries the time it asked for, on both capture paths: the sleep's length,
                // or what was left of it when its first park returned at once (the permit an earlier
                // sleep left set, JDK 25 VirtualThread.sleepNanos), which is 990 µs when the thread
                // parks again at once and less the longer a loaded machine keeps it from parking
                // (260 µs seen: a 2-core machine running the tests). So every sleep reads "sleep" with
                // a time above 0 and at most the sleep's, and the sleep's own length is the commonest
                // (a wrong unit or a lost duration is a defect, not luck).
                var sleeps = facts.blocksByRegion().getOrDefault("sleep", java.util.Map.of());
                assertTrue(sleeps.keySet().stream().allMatch(reason -> reason.startsWith("sleep ")
                                && dev.loomtracer.format.BlockReasons.untimed(reason).equals(dev.loomtracer.format.BlockReasons.SLEEP)
                                && dev.loomtracer.format.BlockReasons.timeoutNanos(reason) <= Service.SLEEP.toNanos()
                                && dev.loomtracer.format.BlockReasons.timeoutNanos(reason) > 0),
                        "sleep blocks: " + facts.blocksByRegion());
                String fullSleep = dev.loomtracer.format.BlockReasons.timed(dev.loomtracer.format.BlockReasons.SLEEP,
                        Service.SLEEP.toNanos());
                assertTrue(sleeps.isEmpty() || sleeps.entrySet().stream().max(java.util.Map.Entry.comparingByValue())
                        .orElseThrow().getKey().equals(fullSleep), "most sleeps read '" + fullSleep + "': " + sleeps);
                sleepSeen |= !sleeps.isEmpty();
                wanted.forEach((region, reason) -> {
                    if (facts.blocks(region, reason) > 0) {
                        seen.add(region);
                    }
                });
                if (sleepSeen && seen.size() == wanted.size()) {
                    return;
                }
                assertTrue(attempt < MAX_TRACES, "after " + attempt + " traces, blocks seen in " + seen + " (sleeps: "
                        + sleepSeen + "), wanted " + wanted + "; blocks by region per trace: " + history);
            }
        }
    }

    /**
     * {@code GET /debug/report?seconds=1} answers one self-contained HTML page that a real browser
     * renders without script errors, showing the requests under load (task /work) and why they
     * blocked; {@code ?flight} without a flight recorder gets 409.
     */
    private void reportOverHttp() throws Exception {
        Response noFlight = get("/debug/report?flight", null);
        assertEquals(409, noFlight.status(), noFlight.body());
        Path html = tmp.resolve("server-report.html");
        assertEquals(200, download("/debug/report?seconds=1", null, html));
        keep(html, "server-report.html");
        try (Chromium browser = Chromium.launch()) {
            Chromium.Page page = browser.open(html, 1300, 900);
            assertEquals(java.util.List.of(), page.errors());
            Object types = page.eval("[...document.querySelectorAll('#task-types tbody tr')].map(r => r.getAttribute('data-task-type'))");
            assertTrue(((java.util.List<?>) types).contains("/work"), "task types shown: " + types);
            Object reasons = page.eval("[...document.querySelectorAll('#block-reasons tbody tr')].map(r => r.getAttribute('data-reason'))");
            assertTrue(((java.util.List<?>) reasons).contains("network"), "block reasons shown: " + reasons);
            page.screenshot("#tasks", Path.of("target", "report-screenshots", "server-tasks.png"));
        }
    }

    /**
     * Waves of concurrent /monitor requests for about a second: each holds the monitor for half a
     * millisecond of computing, so while one holds it on a carrier, the next one, on the other
     * carrier, gives up spinning and blocks: the trace must show that block, whatever else the
     * (noisy) machine does.
     */
    private Thread monitorBursts() {
        return Thread.ofVirtual().name("monitor-bursts").start(() -> {
            for (int wave = 0; wave < 12; wave++) {
                java.util.List<Thread> ts = new java.util.ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    ts.add(Thread.ofVirtual().start(() -> {
                        try {
                            get("/monitor", null);
                        } catch (IOException e) {
                            // counted by the assertions on the trace
                        }
                    }));
                }
                for (Thread t : ts) {
                    try {
                        t.join();
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        });
    }

    private ServerTraceFacts traceUnderLoad(ServerConfig.Scheduler scheduler) throws Exception {
        server = ExampleServer.start(debugConfig().withScheduler(scheduler));
        port = server.port();
        Load load = load(8);
        assertServing(load);

        // A trace as long as the cap allows, so that the requests below surely land while it
        // streams (the client then goes away, which ends it: no timing is relied on).
        HttpURLConnection first = open("/debug/trace?seconds=60", null);
        assertEquals(200, first.getResponseCode(), "the first trace request is served");
        assertEquals("application/octet-stream", first.getContentType());

        // While it streams: a second trace request gets 409 and says why; the server keeps serving.
        Response second = get("/debug/trace?seconds=1", null);
        assertEquals(409, second.status(), second.body());
        assertTrue(second.body().contains("a trace is already running"), second.body());
        Response flightStart = request("POST", "/debug/flight/start", null);
        assertEquals(409, flightStart.status(), "the flight recorder cannot start while a trace streams: " + flightStart.body());
        assertEquals(200, get("/hello", null).status(), "the server keeps serving while tracing");

        // The client goes away: the trace ends at its next write, and the tracer is free again.
        // Until the server has seen that, the next request gets 409 naming the abandoned trace;
        // the class's timeout turns a trace that never ends into a failure.
        first.getInputStream().close();
        first.disconnect();

        // A whole trace under load, judged by the project's validator and by Go's own parser.
        Path trace = tmp.resolve("server.trace");
        Thread bursts = monitorBursts();
        for (Response r; (r = fetch("/debug/trace?seconds=1", null, trace)).status() != 200; ) {
            assertEquals(409, r.status(), r.body());
            assertTrue(r.body().contains("a streamed trace of 60 s"), "only the abandoned trace holds the tracer: " + r.body());
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
        keep(trace, "server-" + server.config().scheduler().name().toLowerCase(java.util.Locale.ROOT) + ".trace");
        bursts.join();
        LoadGenerator.Result r = load.get(60, TimeUnit.SECONDS);
        assertTrue(r.ok() > 0 && r.errors() == 0, "every request of the load succeeded: " + r.report());
        CheckedTrace checked = CheckedTrace.of(trace);
        assertEquals(0, checked.count(e -> !e.stack().frames().isEmpty()), "stacks are off by default: no event has one");

        // The requests are in it: tasks named after their paths, regions for each blocking step.
        ServerTraceFacts facts = ServerTraceFacts.of(trace);
        assertTrue(facts.tasks().getOrDefault("/work", 0L) > 0, "tasks: " + facts.tasks());
        for (String region : new String[] {"downstream call", "inventory lock", "stats monitor", "sleep"}) {
            assertTrue(facts.regions().getOrDefault(region, 0L) > 0, "region " + region + " in " + facts.regions());
        }
        assertEquals(405, get("/debug/flight/stop", null).status(), "stopping the flight recorder needs POST");
        assertFalse(LoomTrace.isRunning(), "the trace stopped after its seconds");

        // And the tracer is free again.
        Response again = request("POST", "/debug/flight/start", null);
        assertEquals(200, again.status(), again.body());
        assertEquals(200, request("POST", "/debug/flight/stop", null).status());
        return facts;
    }

    @Test
    void flightRecorderSnapshotIsValidAndTracingKeepsRunning() throws Exception {
        server = ExampleServer.start(debugConfig().withFlight(true));
        port = server.port();
        Load load = load(4);
        assertServing(load);
        // A request served while the flight recorder runs: its task is in the window.
        assertEquals(200, get("/work", null).status());

        Response conflict = get("/debug/trace?seconds=1", null);
        assertEquals(409, conflict.status(), conflict.body());
        assertTrue(conflict.body().contains("flight recorder"), conflict.body());

        Path snap = tmp.resolve("flight.trace");
        assertEquals(200, download("/debug/flight", null, snap));
        assertTrue(LoomTrace.isRunning(), "a snapshot does not stop the flight recorder");
        CheckedTrace.of(snap);
        assertTrue(ServerTraceFacts.of(snap).tasks().getOrDefault("/work", 0L) > 0, "the snapshot holds requests");

        // A second snapshot, later, works too.
        Path snap2 = tmp.resolve("flight2.trace");
        assertEquals(200, download("/debug/flight", null, snap2));
        CheckedTrace.of(snap2);
        load.get(60, TimeUnit.SECONDS);
    }

    @Test
    void badSecondsGet400WithAMessage() throws Exception {
        server = ExampleServer.start(debugConfig());
        port = server.port();
        for (String bad : new String[] {"abc", "0", "-1", "NaN", "Infinity", "61", "1e9", ""}) {
            Response r = get("/debug/trace?seconds=" + bad, null);
            assertEquals(400, r.status(), "seconds=" + bad + ": " + r.body());
            assertTrue(r.body().contains("seconds must"), r.body());
        }
        Response r = get("/debug/trace?stacks=sometimes", null);
        assertEquals(400, r.status(), r.body());
        assertFalse(LoomTrace.isRunning());
    }

    @Test
    void aConfiguredTokenIsRequired() throws Exception {
        String token = "0123456789abcdef-test-token";
        server = ExampleServer.start(debugConfig().withDebug(true, token));
        port = server.port();
        for (String auth : new String[] {null, "Bearer wrong-token-wrong-token", "Basic " + token, "Bearer "}) {
            Response r = get("/debug/trace?seconds=1", auth);
            assertEquals(401, r.status(), "Authorization: " + auth + " -> " + r.body());
            assertTrue(r.body().contains("token"), r.body());
            assertEquals(401, get("/debug/flight", auth).status());
        }
        assertFalse(LoomTrace.isRunning(), "no trace started without the token");
        Response ok = get("/debug/flight", "Bearer " + token);
        assertEquals(409, ok.status(), "with the token, the request gets through (no flight recorder runs): " + ok.body());
        Path trace = tmp.resolve("token.trace");
        assertEquals(200, download("/debug/trace?seconds=0.2", "Bearer " + token, trace));
        CheckedTrace.of(trace);
        assertEquals(200, get("/hello", null).status(), "the service itself needs no token");
    }

    /**
     * {@code --debug-token-file F} on a server listening beyond loopback (this machine's
     * non-loopback address, the client connecting to it from there): the token is F's first
     * line; requests need it, and get through with it. Without a token the server refuses to
     * listen there at all (PartsTest.debugBeyondLoopbackNeedsAToken).
     */
    @Test
    void theTokenIsReadFromTheDebugTokenFile() throws Exception {
        String token = "file-token-0123456789abcdef";
        Path file = tmp.resolve("debug.token");
        Files.writeString(file, token + "\n");
        java.net.InetAddress beyond = dev.loomtracer.testing.NonLoopback.address();
        IllegalArgumentException noToken = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.parse(new String[] {"--host", beyond.getHostAddress(), "--port", "0", "--debug"}, Map.of()));
        assertTrue(noToken.getMessage().contains("need a debug token"), noToken.getMessage());
        server = ExampleServer.start(ServerConfig.parse(new String[] {"--host", beyond.getHostAddress(), "--port", "0",
                "--debug", "--debug-token-file", file.toString()}, Map.of()));
        port = server.port();
        host = dev.loomtracer.testing.NonLoopback.uriHost(beyond);
        assertEquals(401, get("/debug/flight", null).status(), "no token");
        assertEquals(401, get("/debug/flight", "Bearer " + token + "x").status(), "another token");
        Response ok = get("/debug/flight", "Bearer " + token);
        assertEquals(409, ok.status(), "the file's token gets through (no flight recorder runs): " + ok.body());
        Path trace = tmp.resolve("token-file.trace");
        assertEquals(200, download("/debug/trace?seconds=0.2", "Bearer " + token, trace));
        CheckedTrace.of(trace);
    }

    /** {@code --max-trace-seconds N}: the cap on one streamed trace; beyond it 400, and nothing starts. */
    @Test
    void maxTraceSecondsCapsATraceRequest() throws Exception {
        server = ExampleServer.start(ServerConfig.parse(
                new String[] {"--port", "0", "--debug", "--max-trace-seconds", "2"}, Map.of()));
        port = server.port();
        for (String over : new String[] {"2.01", "3", "60"}) {
            Response r = get("/debug/trace?seconds=" + over, null);
            assertEquals(400, r.status(), "seconds=" + over + ": " + r.body());
            assertTrue(r.body().contains("at most 2"), r.body());
        }
        assertFalse(LoomTrace.isRunning(), "a refused request starts nothing");
        Path trace = tmp.resolve("capped.trace");
        assertEquals(200, download("/debug/trace?seconds=0.2", null, trace));
        CheckedTrace.of(trace);
    }

    /**
     * {@code POST /debug/flight/start?seconds=S&mib=M}: the recorder runs with that window (its kept
     * bytes stay within M MiB while four times as much is traced), bad values get 400 and start
     * nothing, and its snapshot is a valid trace.
     */
    @Test
    void flightStartParametersSetTheWindow() throws Exception {
        server = ExampleServer.start(debugConfig());
        port = server.port();
        for (String bad : new String[] {"seconds=abc", "mib=0", "mib=5000", "seconds=-1"}) {
            Response r = request("POST", "/debug/flight/start?" + bad, null);
            assertEquals(400, r.status(), bad + ": " + r.body());
        }
        assertFalse(LoomTrace.isRunning(), "a refused start starts nothing");
        Response started = request("POST", "/debug/flight/start?seconds=1&mib=1", null);
        assertEquals(200, started.status(), started.body());
        assertTrue(started.body().contains("at least 1 s of history, at most 1 MiB"), started.body());
        // Generations of over 64 KiB each (ended here, not by time; every message is a new string
        // in its generation's table), 4 MiB in all, after one marked early.
        LoomTrace.log("early", "x");
        dev.loomtracer.engine.Tracer.GLOBAL.advanceNow();
        for (int i = 0; i < 4 * 16; i++) {
            for (int j = 0; j < 1024; j++) {
                LoomTrace.log("fill", i + "/" + j + " 0123456789012345678901234567890123456789012345678901234567890123");
            }
            dev.loomtracer.engine.Tracer.GLOBAL.advanceNow();
        }
        long kept = dev.loomtracer.FlightRecorder.current().keptBytes();
        assertTrue(kept <= 1 << 20 && kept > 0, "kept " + kept + " bytes with a 1 MiB window");
        Path snap = tmp.resolve("window.trace");
        assertEquals(200, download("/debug/flight", null, snap));
        CheckedTrace t = CheckedTrace.of(snap);
        assertEquals(0, t.count(e -> e.type() == dev.loomtracer.format.EventType.USER_LOG && "early".equals(e.name())),
                "the 1 MiB bound evicted the oldest generation");
        assertTrue(t.count(e -> e.type() == dev.loomtracer.format.EventType.USER_LOG && "fill".equals(e.name())) > 0);
        assertEquals(200, request("POST", "/debug/flight/stop", null).status());
    }

    @Test
    void debugEndpointsAreOffWithoutDebug() throws Exception {
        server = ExampleServer.start(ServerConfig.defaults().withPort(0));
        port = server.port();
        assertEquals(404, get("/debug/trace?seconds=1", null).status());
        assertEquals(404, get("/debug/flight", null).status());
        assertEquals(200, get("/work", null).status());
        assertEquals(200, get("/pinned", null).status());
    }

    // ---- plumbing ----

    record Response(int status, String body) {}

    /**
     * The server answers, and every connection of the load has had its first answer: the load is
     * running when a trace starts (the 1 s traces of capturedBlocks need it running through them).
     * The class's timeout ends a wait for a load that never starts.
     */
    private void assertServing(Load load) throws Exception {
        assertEquals(200, get("/hello", null).status(), "the server answers");
        load.reached().await();
    }

    private HttpURLConnection open(String pathAndQuery, String auth) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://" + host + ":" + port + pathAndQuery).toURL().openConnection();
        c.setConnectTimeout(10_000);
        c.setReadTimeout(60_000);
        if (auth != null) {
            c.setRequestProperty("Authorization", auth);
        }
        return c;
    }

    private Response get(String pathAndQuery, String auth) throws IOException {
        return request("GET", pathAndQuery, auth);
    }

    private Response request(String method, String pathAndQuery, String auth) throws IOException {
        HttpURLConnection c = open(pathAndQuery, auth);
        c.setRequestMethod(method);
        int status = c.getResponseCode();
        try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
            return new Response(status, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private int download(String pathAndQuery, String auth, Path to) throws IOException {
        Response r = fetch(pathAndQuery, auth, to);
        if (r.status() != 200) {
            throw new AssertionError(pathAndQuery + " answered " + r.status() + ": " + r.body());
        }
        return r.status();
    }

    /** A 200's body goes to {@code to}; any other answer is returned with its body. */
    private Response fetch(String pathAndQuery, String auth, Path to) throws IOException {
        HttpURLConnection c = open(pathAndQuery, auth);
        int status = c.getResponseCode();
        if (status == 200) {
            try (InputStream in = c.getInputStream(); OutputStream out = Files.newOutputStream(to)) {
                in.transferTo(out);
            }
            return new Response(status, "");
        }
        try (InputStream in = c.getErrorStream()) {
            return new Response(status, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
