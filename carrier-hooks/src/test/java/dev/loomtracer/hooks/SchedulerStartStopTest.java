package dev.loomtracer.hooks;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Tracing starts and stops in a loop, with stacks, while virtual threads on a tracing scheduler
 * park, wake each other, sleep and wait on queues. A run that began traced walks its thread's
 * continuation when it ends; with tracing switched off meanwhile, the thread's next wake-up must
 * still wait for that walk (the stress run crashed the JVM when it did not). Every trace must
 * be valid for both judges.
 */
class SchedulerStartStopTest {
    final Path dir = TestFiles.dir("scheduler-start-stop");

    @Test
    void startStopLoopWhileThreadsSwitch() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        try (TracingScheduler s = TracingScheduler.create(2)) {
            int pairs = 8;
            for (int p = 0; p < pairs; p++) {
                Thread[] pair = new Thread[2];
                int[] turn = {0};
                for (int i = 0; i < 2; i++) {
                    int me = i;
                    pair[i] = s.builder().unstarted(() -> {
                        try {
                            while (!stop.get()) {
                                while (turn[0] != me && !stop.get()) {
                                    LockSupport.park();
                                }
                                turn[0] = 1 - me;
                                LockSupport.unpark(pair[1 - me]);
                            }
                            LockSupport.unpark(pair[1 - me]);
                        } catch (Throwable t) {
                            failure.compareAndSet(null, t);
                        }
                    });
                    threads.add(pair[i]);
                }
                for (Thread t : pair) {
                    t.start();
                }
            }
            ArrayBlockingQueue<Integer> q = new ArrayBlockingQueue<>(1);
            threads.add(s.builder().start(() -> {
                try {
                    for (int i = 0; !stop.get(); i++) {
                        q.put(i);
                        Thread.sleep(0, 200_000);
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
            threads.add(s.builder().start(() -> {
                try {
                    while (!stop.get()) {
                        q.poll(10, java.util.concurrent.TimeUnit.MILLISECONDS);
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
            for (int c = 0; c < 40; c++) {
                Path file = dir.resolve("cycle" + c + ".trace");
                TraceOptions.Stacks mode = c % 2 == 0 ? TraceOptions.Stacks.ON_BLOCK : TraceOptions.Stacks.OFF;
                TraceResult stats = Recording.record(file, mode, () -> Thread.sleep(20));
                assertEquals(0, stats.lostEvents(), "cycle " + c + ": " + stats);
                GoroutineFacts.of(file); // both judges, every trace
                Thread.sleep(5);
            }
            stop.set(true);
            for (Thread t : threads) {
                LockSupport.unpark(t);
            }
            for (Thread t : threads) {
                t.join();
            }
        }
        assertNull(failure.get(), "the threads saw no exception");
    }
}
