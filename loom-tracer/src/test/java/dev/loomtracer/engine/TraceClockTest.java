package dev.loomtracer.engine;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trace clock: its source, its monotonicity, and that its frequency is what it ticks at. */
class TraceClockTest {

    @Test
    void readsTheTimeStampCounterWhereTheKernelTrustsIt() throws IOException {
        Path source = Path.of("/sys/devices/system/clocksource/clocksource0/current_clocksource");
        String arch = System.getProperty("os.arch");
        boolean expected = System.getProperty("os.name").equals("Linux") && arch.equals("amd64")
                && Files.exists(source) && Files.readString(source).trim().equals("tsc")
                && TraceClock.class.getModule().isNativeAccessEnabled()
                && !"nanotime".equals(System.getProperty("loomtrace.clock"));
        assertEquals(expected, TraceClock.TSC, TraceClock.source());
    }

    @Test
    void neverGoesBackOnOneThread() {
        long last = TraceClock.now();
        assertTrue(last > 0);
        for (int i = 0; i < 2_000_000; i++) {
            long t = TraceClock.now();
            assertTrue(t >= last, "went back from " + last + " to " + t);
            last = t;
        }
    }

    @Test
    void neverGoesBackAcrossThreadsThatHandOver() throws InterruptedException {
        // A hand-over through a volatile: the reader's tick is read after the writer's, so it is
        // not smaller (the counter is synchronized across CPUs and read ordered after loads).
        int rounds = 20_000;
        long[] seen = new long[rounds];
        long[] got = new long[rounds];
        java.util.concurrent.atomic.AtomicLong box = new java.util.concurrent.atomic.AtomicLong(-1);
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < rounds; i++) {
                while (box.get() != -1) {
                    Thread.onSpinWait();
                }
                seen[i] = TraceClock.now();
                box.set(i);
            }
        });
        for (int i = 0; i < rounds; i++) {
            while (box.get() != i) {
                Thread.onSpinWait();
            }
            got[i] = TraceClock.now();
            box.set(-1);
        }
        writer.join();
        for (int i = 0; i < rounds; i++) {
            assertTrue(got[i] >= seen[i], "round " + i + ": " + seen[i] + " then " + got[i]);
        }
    }

    @Test
    void ticksPerSecondIsTheRateItTicksAt() throws InterruptedException {
        long f = TraceClock.ticksPerSecond();
        assertEquals(f, TraceClock.ticksPerSecond(), "one frequency for the life of the JVM");
        // Rates over the same 200 ms by both clocks; each tick reading is bracketed by nanoTime
        // reads and retried when a preemption widened the bracket, so load does not matter.
        List<Double> ratios = new ArrayList<>();
        for (int attempt = 0; attempt < 5; attempt++) {
            long[] a = bracketed();
            Thread.sleep(200);
            long[] b = bracketed();
            double seconds = (b[0] - a[0]) / 1e9;
            ratios.add((b[1] - a[1]) / seconds / f);
        }
        ratios.sort(null);
        double median = ratios.get(2);
        assertTrue(Math.abs(median - 1) < 0.01, "ticks per second " + f + " is off by a factor " + median + " " + ratios);
    }

    /** {nanoTime, ticks} read within 20 µs of each other. */
    private static long[] bracketed() {
        for (;;) {
            long n0 = System.nanoTime();
            long t = TraceClock.now();
            long n1 = System.nanoTime();
            if (n1 - n0 < 20_000) {
                return new long[] {(n0 + n1) / 2, t};
            }
        }
    }
}
