package dev.loomtracer.engine;

import java.time.Duration;

/**
 * A test program that keeps pace with the tracer without timing: when the tracer says its
 * current generation is due to end by size ({@link TraceSession#dueBySize}: it has then woken
 * the advancer), the program waits until that generation is ended and its reader has taken it.
 * A real program never waits; a test that asserts what a generation holds, or that a reader
 * keeping up loses nothing, must not depend on how soon the advancer and the reader get a core.
 *
 * <p>Invariant: returns at once when no generation is due or the trace has ended; otherwise
 * only once the reader is past that generation (or the trace ended), and fails the test if
 * that takes over a minute.
 */
public final class Pace {
    private Pace() {}

    public static void keepPace(Tracer t) {
        long g = t.generation();
        TraceSession s = t.session;
        if (g == 0 || s == null || !s.dueBySize((int) (g & 1))) {
            return;
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!readPast(t, g)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("generation " + g + ", due to end by size, was not ended and read within a minute");
            }
            Thread.yield();
        }
    }

    /** True once the reader has taken every batch of generation {@code g}, or the trace has ended. */
    private static boolean readPast(Tracer t, long g) {
        t.lock.lock();
        try {
            return t.readerGen > g || t.finished || t.generation() == 0;
        } finally {
            t.lock.unlock();
        }
    }
}
