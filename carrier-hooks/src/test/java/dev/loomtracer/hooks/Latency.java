package dev.loomtracer.hooks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;

/**
 * Scheduler latency measured by the program itself: N virtual threads park; a platform thread
 * wakes them all at once, noting the time just before and just after each unpark; each, once
 * running, notes the time and then keeps its carrier busy for a while, so that the later ones
 * wait in the run queue. The runnable-to-running latency is then known to lie between
 * (running - after unpark) and (running - before unpark): the unpark made it runnable somewhere
 * in between, and that is where the trace's unblock event is.
 */
final class Latency {
    private Latency() {}

    static final int THREADS = 40;
    static final long BUSY_NANOS = 300_000;
    /** The trace clock's tick (engine TraceClock: 64 ns): two truncated time stamps differ by less. */
    static final long TICK_NANOS = 64;

    /** Per thread, in unpark order: its id, and the bounds of its latency as measured (ns). */
    record Sample(long id, long lowNanos, long highNanos) {}

    static List<Sample> run(ThreadFactory vts) throws Exception {
        int n = THREADS;
        long[] unparked = new long[n];
        long[] unparkReturned = new long[n];
        long[] running = new long[n];
        Thread[] ts = new Thread[n];
        for (int i = 0; i < n; i++) {
            int me = i;
            ts[i] = vts.newThread(() -> {
                while (Volatile.get(unparked, me) == 0) {
                    LockSupport.park();
                }
                running[me] = System.nanoTime();
                long until = running[me] + BUSY_NANOS;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            });
            ts[i].start();
        }
        for (Thread t : ts) {
            while (t.getState() != Thread.State.WAITING) {
                Thread.sleep(1);
            }
        }
        Thread waker = Thread.ofPlatform().name("latency-waker").start(() -> {
            for (int i = 0; i < n; i++) {
                Volatile.set(unparked, i, System.nanoTime());
                LockSupport.unpark(ts[i]);
                unparkReturned[i] = System.nanoTime();
            }
        });
        waker.join();
        for (Thread t : ts) {
            t.join();
        }
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Sample(ts[i].threadId(), running[i] - unparkReturned[i], running[i] - unparked[i]));
        }
        return out;
    }

    /** Volatile access to long[] elements. */
    static final class Volatile {
        private static final java.lang.invoke.VarHandle H = java.lang.invoke.MethodHandles.arrayElementVarHandle(long[].class);

        static long get(long[] a, int i) {
            return (long) H.getVolatile(a, i);
        }

        static void set(long[] a, int i, long v) {
            H.setVolatile(a, i, v);
        }
    }

    /** The agent path: {@code java -javaagent:...=output=TRACE -Djdk.virtualThreadScheduler.parallelism=1 Latency OUT}. */
    public static void main(String[] args) throws Exception {
        List<Sample> s = run(Thread.ofVirtual().factory());
        Files.write(Path.of(args[0]), s.stream().map(x -> x.id() + " " + x.lowNanos() + " " + x.highNanos()).toList());
    }

    static List<Sample> read(Path file) throws Exception {
        return Files.readAllLines(file).stream().map(l -> l.split(" "))
                .map(w -> new Sample(Long.parseLong(w[0]), Long.parseLong(w[1]), Long.parseLong(w[2]))).toList();
    }

    /**
     * The trace's latency of each thread's wake-up (unblock to start) against the measured
     * bounds, with no allowance for time: the same order of starting, and each latency at most the
     * measured upper bound (the unblock is told inside the unpark, after {@code unparked}; the
     * start is told at the mount, before the thread reads {@code running}), up to the clock's
     * tick. The lower bound is not asserted: the mount can take arbitrarily long on a loaded
     * machine between the start event and the thread's first instruction. Returns a summary line.
     */
    static String compare(List<Sample> samples, GoroutineFacts f) {
        List<String> problems = new ArrayList<>();
        List<Long> traced = new ArrayList<>();
        long prevStart = Long.MIN_VALUE;
        for (Sample s : samples) {
            GoroutineFacts.G g = f.get(s.id());
            if (g.blocks.size() != 1 || g.latencies.size() != 2 || g.startTimes.size() != 2) {
                problems.add("G" + s.id() + " is not traced as started, parked once, woken and started: " + g
                        + " latencies " + g.latencies);
                continue;
            }
            long t = g.latencies.get(1);
            traced.add(t);
            long start = g.startTimes.get(1);
            if (start < prevStart) {
                problems.add("G" + s.id() + " started before the thread woken before it");
            }
            prevStart = start;
            if (t < 0 || t > s.highNanos() + TICK_NANOS) {
                problems.add("G" + s.id() + ": traced " + t + " ns, measured at most " + s.highNanos() + " ns");
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("scheduler latency from the trace disagrees with the measured one:\n  "
                    + String.join("\n  ", problems));
        }
        Sample first = samples.get(0);
        Sample last = samples.get(samples.size() - 1);
        return "latency of the first of " + samples.size() + " woken threads: traced " + traced.get(0) / 1000
                + " us, measured " + first.lowNanos() / 1000 + ".." + first.highNanos() / 1000 + " us; of the last: traced "
                + traced.get(traced.size() - 1) / 1000 + " us, measured " + last.lowNanos() / 1000 + ".."
                + last.highNanos() / 1000 + " us";
    }
}
