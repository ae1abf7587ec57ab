package dev.loomtracer.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.LoomTrace;
import dev.loomtracer.Region;
import dev.loomtracer.Task;
import dev.loomtracer.TraceOptions;
import dev.loomtracer.jfr.events.LoomEvents;
import dev.loomtracer.jfr.live.AutoBridge;
import dev.loomtracer.jfr.live.JfrBridge;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Tracing that follows JFR: with the bridge installed, starting a recording with loomtracer.jfc
 * starts the trace, the recording holds the virtual threads' tasks, regions and logs, stopping it
 * flushes the bridge first and then stops the trace.
 */
class AutoBridgeTest {
    @TempDir
    Path dir;

    /** Polls until {@code c} holds: the condition ends the wait; the test's timeout fails a wait that never ends. */
    private static void waitFor(java.util.function.BooleanSupplier c) throws InterruptedException {
        while (!c.getAsBoolean()) {
            Thread.sleep(5);
        }
    }

    @Test
    void aRecordingWithTheSettingsStartsTheTraceAndGetsItsEvents() throws Exception {
        assertFalse(LoomTrace.isRunning());
        int requests = 40;
        Path jfr = dir.resolve("auto.jfr");
        // The end-of-chunk flush waits for the bridge's commit as long as the test may run, not
        // the product's 2 s: on a loaded machine the commit can take longer, and the recording
        // must hold every request either way (the wait ends when the commit is done).
        try (AutoBridge auto = AutoBridge.install(TraceOptions.defaults().generationPeriod(Duration.ofMillis(50)),
                Duration.ofMinutes(4))) {
            assertFalse(LoomTrace.isRunning(), "no recording yet: no trace");
            try (Recording r = new Recording(JfrBridge.settings())) {
                r.start();
                waitFor(LoomTrace::isRunning); // the bridge starts tracing
                // Published before its trace runs: a recording stopped now would find it (it was
                // published after, and a stop in between ended the recording with no bridged event).
                assertNotNull(auto.bridge(), "the bridge of the running trace is published");
                List<Thread> vts = new ArrayList<>();
                for (int i = 0; i < requests; i++) {
                    int id = i;
                    vts.add(Thread.ofVirtual().start(() -> {
                        try (Task t = Task.begin("request")) {
                            try (Region reg = t.region("work")) {
                                Thread.sleep(1 + id % 3);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            t.log("status", "ok");
                        }
                    }));
                }
                for (Thread t : vts) {
                    t.join();
                }
                r.stop(); // the end-of-chunk hook flushes the bridge first
                r.dump(jfr);
            }
            waitFor(() -> !LoomTrace.isRunning()); // the bridge stops tracing with the last recording
        }
        Map<String, Long> counts = Readers.recordingFile(jfr, n -> n.startsWith("dev.loomtracer."));
        List<RecordedEvent> flushes = Readers.events(jfr, LoomEvents.BRIDGE_FLUSH);
        assertEquals(requests, counts.getOrDefault(LoomEvents.TASK, 0L), counts + ", flushes: " + flushes);
        assertEquals(requests, counts.getOrDefault(LoomEvents.REGION, 0L), counts.toString());
        List<RecordedEvent> logs = Readers.events(jfr, LoomEvents.LOG);
        assertEquals(requests, logs.stream().filter(e -> "status".equals(e.getString("category"))).count());
        assertTrue(counts.getOrDefault(LoomEvents.RUN, 0L) >= requests, "virtual threads ran: " + counts);
        assertFalse(flushes.isEmpty(), "the end-of-chunk flush ran");
        assertTrue(flushes.getLast().getBoolean("flushed"), flushes.getLast().toString());
        assertEquals(1, Readers.events(jfr, LoomEvents.CLOCK_SYNC).size());
    }
}
