package dev.loomtracer.engine;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.format.EventType;
import dev.loomtracer.testing.Spi.Traced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import static dev.loomtracer.testing.Spi.await;
import static dev.loomtracer.testing.Spi.emit;
import static dev.loomtracer.testing.Spi.join;
import static dev.loomtracer.testing.Spi.traced;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After {@code stop()} nothing of the trace stays reachable from the threads that wrote into it
 * (docs/ENGINE.md, "Memory and loss"). A thread keeps its M in a carrier-local until its next
 * event, which may never come: the M kept its session (the string and stack tables, every
 * goroutine, the frames' PCs), the last buffer it wrote into and the strings it interned last. A
 * platform thread that wrote and lives on, and the carrier of a virtual thread that wrote and
 * ended, are both such threads. Nor does the tracer keep its pool of buffers until the next start.
 */
class StopLetsGoTest {
    static final int LOGS = 1_000;

    @TempDir
    Path dir;

    @Test
    void threadsThatWroteHoldNothingOfTheTraceAfterStop() throws Exception {
        Map<String, WeakReference<?>> held = new LinkedHashMap<>();
        CountDownLatch wrote = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        List<Thread> platform = new ArrayList<>();
        Traced run = traced(dir.resolve("stop.trace"), TraceOptions.defaults().generationPeriod(Duration.ofMinutes(10)), t -> {
            platform.add(Thread.ofPlatform().name("writer").start(() -> {
                write(t, "platform", held);
                wrote.countDown();
                await(done); // lives on after the stop, its M in its carrier-local
            }));
            await(wrote);
            join(Thread.ofVirtual().start(() -> write(t, "virtual", held))); // its carrier lives on
            held.put("the session", new WeakReference<>(t.session));
        });
        assertTrue(platform.getFirst().isAlive(), "the writer is still alive");
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            System.gc();
            kept.clear();
            held.forEach((what, ref) -> {
                if (ref.get() != null) {
                    kept.add(what);
                }
            });
            if (kept.isEmpty()) {
                break;
            }
        }
        done.countDown();
        join(platform.getFirst());
        assertEquals(List.of(), kept, "still reachable after stop");
        assertTrue(run.stats().complete(), String.valueOf(run.stats()));
        assertEquals(2 * LOGS, run.trace().count(e -> e.type() == EventType.USER_LOG && "k".equals(e.name())));
    }

    /** LOGS logs of new strings on the current thread; remembers (weakly) the last message and the buffer it went into. */
    private static void write(Tracer t, String who, Map<String, WeakReference<?>> held) {
        for (int i = 0; i < LOGS; i++) {
            String message = who + " message " + i;
            emit(t, w -> {
                w.userLog(Thread.currentThread(), 0, "k", message, null);
                synchronized (held) {
                    held.put("the " + who + " writer's last message", new WeakReference<>(message));
                    held.put("the " + who + " writer's buffer", new WeakReference<>(w.m().bufs[(int) (w.m().gen & 1)]));
                }
            });
        }
    }
}
