package dev.loomtracer.hooks.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.Locale;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One benchmark JVM of {@link CaptureOverhead}: reads {@code <park|queue> <off|on|stacks|every> <trips>}
 * (stacks: {@code stacks=on-block}, sampled; every: {@code stacks=every-block})
 * lines, answers {@code ok <ns per round trip> <trace bytes> <trace events> <process CPU ns per round trip>}. Tracing is only
 * touched (through {@link Tracing}) in the modes that trace, so that the JVM without the agent
 * never needs the tracer.
 */
public final class OverheadChild {
    private OverheadChild() {}

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null; ) {
            String[] w = line.trim().split(" ");
            if (w[0].equals("quit")) {
                return;
            }
            String bench = w[0];
            String mode = w[1];
            int trips = Integer.parseInt(w[2]);
            long cpu0 = processCpuNanos();
            Tracing t = mode.equals("off") ? null : Tracing.start(switch (mode) {
                case "stacks" -> dev.loomtracer.TraceOptions.Stacks.ON_BLOCK;
                case "every" -> dev.loomtracer.TraceOptions.Stacks.EVERY_BLOCK;
                default -> dev.loomtracer.TraceOptions.Stacks.OFF;
            });
            long ns;
            try {
                ns = bench.equals("park") ? parkPingPong(trips) : queuePingPong(trips);
            } finally {
                if (t != null) {
                    t.stop();
                }
            }
            // CPU time of the whole process (carrier, trace reader, advancer), trace drain
            // included, validation excluded: on a shared machine it is disturbed far less than
            // the wall time by other processes.
            long cpu = processCpuNanos() - cpu0;
            long bytes = t == null ? 0 : t.bytes();
            long events = t == null ? 0 : t.countEvents();
            System.out.printf(Locale.ROOT, "ok %.2f %d %d %.2f%n", ns / (double) trips, bytes, events, cpu / (double) trips);
            System.out.flush();
            if (t != null) {
                t.delete();
            }
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Two virtual threads hand a turn back and forth with park/unpark; ns for all trips. */
    static long parkPingPong(int trips) throws InterruptedException {
        AtomicInteger turn = new AtomicInteger();
        Thread[] ts = new Thread[2];
        for (int i = 0; i < 2; i++) {
            int me = i;
            ts[i] = Thread.ofVirtual().unstarted(() -> {
                Thread other = ts[1 - me];
                for (int r = 0; r < trips; r++) {
                    while (turn.get() != me) {
                        LockSupport.park();
                    }
                    turn.set(1 - me);
                    LockSupport.unpark(other);
                }
            });
        }
        long t0 = System.nanoTime();
        ts[0].start();
        ts[1].start();
        ts[0].join();
        ts[1].join();
        return System.nanoTime() - t0;
    }

    /** Two virtual threads pass a token through a SynchronousQueue each way; ns for all trips. */
    static long queuePingPong(int trips) throws InterruptedException {
        SynchronousQueue<Integer> there = new SynchronousQueue<>();
        SynchronousQueue<Integer> back = new SynchronousQueue<>();
        Thread a = Thread.ofVirtual().unstarted(() -> {
            try {
                for (int r = 0; r < trips; r++) {
                    there.put(r);
                    back.take();
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread b = Thread.ofVirtual().unstarted(() -> {
            try {
                for (int r = 0; r < trips; r++) {
                    back.put(there.take());
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        long t0 = System.nanoTime();
        a.start();
        b.start();
        a.join();
        b.join();
        return System.nanoTime() - t0;
    }
}
