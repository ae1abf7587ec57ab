package dev.loomtracer;

import dev.loomtracer.format.EventType;
import dev.loomtracer.testing.CheckedTrace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Many virtual and platform threads annotate while tracing starts and stops in a loop. */
class StartStopTest {
    @TempDir
    Path dir;

    @Test
    void everyTraceOfAStartStopLoopUnderLoadIsValid() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong logged = new AtomicLong(); // logs whose call has returned
        record Goal(long logs, CountDownLatch reached) {}
        AtomicReference<Goal> goal = new AtomicReference<>(new Goal(Long.MAX_VALUE, new CountDownLatch(1)));
        List<Thread> emitters = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int id = i;
            Runnable body = () -> {
                try {
                    long n = 0;
                    while (running.get()) {
                        try (Task task = Task.begin("job"); Region r = task.region("step")) {
                            task.log("n", Long.toString(n++ % 7));
                        }
                        long done = logged.incrementAndGet();
                        Goal g = goal.get();
                        if (done >= g.logs()) {
                            g.reached().countDown();
                        }
                        if (n % 64 == 0) {
                            Thread.yield();
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            };
            emitters.add(id % 10 == 0 ? Thread.ofPlatform().start(body) : Thread.ofVirtual().start(body));
        }
        int cycles = 12;
        List<Path> files = new ArrayList<>();
        for (int c = 0; c < cycles; c++) {
            Path file = dir.resolve("cycle" + c + ".trace");
            try (OutputStream out = Files.newOutputStream(file)) {
                LoomTrace.start(out, TraceOptions.defaults().generationPeriod(Duration.ofMillis(15)));
                // Each emitter has at most one log under way when the trace starts, so more
                // returned logs than emitters since the start means the trace holds some.
                Goal g = new Goal(logged.get() + emitters.size() + 1, new CountDownLatch(1));
                goal.set(g);
                g.reached().await();
                TraceResult r = LoomTrace.stop();
                assertEquals(0, r.inconsistentEvents(), "cycle " + c);
                assertEquals(0, r.nestedEvents(), "cycle " + c);
                assertEquals(0, r.lostEvents(), "cycle " + c);
            }
            files.add(file);
        }
        running.set(false);
        for (Thread t : emitters) {
            t.join();
        }
        assertNull(failure.get(), "emitters never see an exception");
        // Judged once the emitters have stopped: 20 busy platform threads starved Go's parser on
        // 2 cores past the test's timeout.
        for (int c = 0; c < files.size(); c++) {
            CheckedTrace t = CheckedTrace.of(files.get(c)); // both judges, every trace
            assertTrue(t.count(e -> e.type() == EventType.USER_LOG) > 0, "cycle " + c + " traced something");
        }
    }
}
