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
import java.util.concurrent.atomic.AtomicBoolean;
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
        for (int c = 0; c < cycles; c++) {
            Path file = dir.resolve("cycle" + c + ".trace");
            try (OutputStream out = Files.newOutputStream(file)) {
                LoomTrace.start(out, TraceOptions.defaults().generationPeriod(Duration.ofMillis(15)));
                Thread.sleep(40);
                TraceResult r = LoomTrace.stop();
                assertEquals(0, r.inconsistentEvents(), "cycle " + c);
                assertEquals(0, r.nestedEvents(), "cycle " + c);
                assertEquals(0, r.lostEvents(), "cycle " + c);
            }
            // Own validator on every trace; Go's judge on a sample (it is slow).
            if (c % 4 == 0) {
                CheckedTrace t = CheckedTrace.of(file);
                assertTrue(t.count(e -> e.type() == EventType.USER_LOG) > 0, "cycle " + c + " traced something");
            } else {
                dev.loomtracer.parse.TraceSummary.of(file);
            }
        }
        running.set(false);
        for (Thread t : emitters) {
            t.join();
        }
        assertNull(failure.get(), "emitters never see an exception");
    }
}
