package dev.loomtracer.hooks;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TracingSchedulerTest {
    final Path dir = TestFiles.dir("scheduler");

    @Test
    void pingPongSleepAndYieldTraceConsistently() throws Exception {
        Path file = dir.resolve("pingpong.trace");
        int rounds = 2000;
        Thread[] pair = new Thread[2];
        TraceResult stats;
        try (TracingScheduler s = TracingScheduler.create(2)) {
            stats = Recording.record(file, TraceOptions.Stacks.OFF, () -> {
                AtomicInteger turn = new AtomicInteger();
                for (int i = 0; i < 2; i++) {
                    int me = i;
                    pair[i] = s.builder().name("pp-" + i).unstarted(() -> {
                        for (int r = 0; r < rounds; r++) {
                            while (turn.get() != me) {
                                LockSupport.park();
                            }
                            turn.set(1 - me);
                            LockSupport.unpark(pair[1 - me]);
                        }
                    });
                }
                pair[0].start();
                pair[1].start();
                try (ExecutorService ex = s.newThreadPerTaskExecutor()) {
                    List<Future<?>> fs = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        fs.add(ex.submit(() -> {
                            Thread.sleep(2);
                            Thread.yield();
                            return null;
                        }));
                    }
                    for (Future<?> f : fs) {
                        f.get();
                    }
                }
                pair[0].join();
                pair[1].join();
            });
        }
        assertEquals(0, stats.inconsistentEvents(), stats.toString());
        assertEquals(0, stats.nestedEvents(), stats.toString());
        assertEquals(0, stats.lostEvents(), stats.toString());
        GoroutineFacts f = GoroutineFacts.of(file);
        for (Thread t : pair) {
            GoroutineFacts.G g = f.get(t.threadId());
            assertEquals(1, g.creates, g.toString());
            assertEquals(1, g.destroys, g.toString());
            assertTrue(g.blocks.size() > 0, g.toString());
        }
    }
}
