package dev.loomtracer.jfr.bench;

import dev.loomtracer.LoomTrace;
import dev.loomtracer.Region;
import dev.loomtracer.Task;
import dev.loomtracer.TraceOptions;
import dev.loomtracer.jfr.live.AutoBridge;
import dev.loomtracer.jfr.live.JfrBridge;
import dev.loomtracer.jfr.live.TeeStream;

import jdk.jfr.Recording;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the JFR bridge costs, as ratios (a harness, not JMH: it prints medians of repeated runs).
 *
 * <ol>
 * <li>The hook fast path with the bridge installed and no recording enabling its events: tracing
 *     is off, so every hook costs the engine's enabled check; measured as ns per annotation call
 *     ({@code LoomTrace.log}) against an empty loop.</li>
 * <li>The tee with no recording enabling the events: per generation one enabled check per type
 *     and no parsing; per byte a framing pass and a copy. Measured as the bridge's input rate
 *     (MB/s) on a recorded trace, against writing the same bytes to a byte array.</li>
 * <li>The bridge committing (a recording enables every type): trace events per second it turns
 *     into JFR events.</li>
 * <li>A virtual-thread workload (tasks, regions, logs, sleeps) run untraced, traced to a file,
 *     traced through the tee with no recording, and with a recording taking the events.</li>
 * </ol>
 *
 * Run: {@code java <loomtracer.jvmFlags> -cp <jfr-bridge classpath> dev.loomtracer.jfr.bench.BridgeCost [rounds]}.
 */
public final class BridgeCost {
    private BridgeCost() {}

    static volatile long sink;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        System.out.println("JFR bridge cost (" + rounds + " rounds, medians; " + Runtime.getRuntime().availableProcessors()
                + " CPUs, " + System.getProperty("java.vm.version") + ")");
        hookFastPath(rounds);
        byte[] trace = recordTrace();
        teeInput(trace, rounds);
        committing(trace, rounds);
        workload(rounds);
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    // ---------------------------------------------------------------- 1

    private static void hookFastPath(int rounds) throws Exception {
        try (AutoBridge auto = AutoBridge.install()) {
            if (LoomTrace.isRunning()) {
                throw new IllegalStateException("tracing is on: a recording enables the bridge's events");
            }
            int n = 50_000_000;
            double[] empty = new double[rounds];
            double[] hook = new double[rounds];
            for (int r = 0; r < rounds + 2; r++) {
                long t0 = System.nanoTime();
                long x = 0;
                for (int i = 0; i < n; i++) {
                    x += i;
                    sink = x;
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    LoomTrace.log("bench", "x");
                    sink = i;
                }
                long t2 = System.nanoTime();
                if (r >= 2) {
                    empty[r - 2] = (t1 - t0) / (double) n;
                    hook[r - 2] = (t2 - t1) / (double) n;
                }
            }
            System.out.printf("1. hook, bridge installed, no recording: LoomTrace.log %.2f ns/call, empty loop %.2f ns/iter"
                    + " (difference %.2f ns; tracer running: %s)%n", median(hook), median(empty),
                    median(hook) - median(empty), LoomTrace.isRunning());
        }
    }

    // ---------------------------------------------------------------- workload and a trace of it

    private static void work(int requests) throws InterruptedException {
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            int id = i;
            ts.add(Thread.ofVirtual().start(() -> {
                try (Task t = Task.begin("request")) {
                    for (int k = 0; k < 5; k++) {
                        try (Region reg = t.region("step")) {
                            long x = 0;
                            for (int j = 0; j < 20_000; j++) {
                                x += j * 31L;
                            }
                            sink += x;
                        }
                        if (k == 2) {
                            try {
                                Thread.sleep(1 + id % 2);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    }
                    t.log("status", "ok");
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
    }

    private static TraceOptions options() {
        return TraceOptions.defaults().generationPeriod(Duration.ofMillis(200));
    }

    private static byte[] recordTrace() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LoomTrace.start(out, options());
        work(5000);
        LoomTrace.stop();
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- 2

    private static void teeInput(byte[] trace, int rounds) {
        double[] plain = new double[rounds];
        double[] tee = new double[rounds];
        for (int r = 0; r < rounds + 1; r++) {
            long t0 = System.nanoTime();
            ByteArrayOutputStream b = new ByteArrayOutputStream(trace.length);
            for (int off = 0; off < trace.length; off += 65536) {
                b.write(trace, off, Math.min(65536, trace.length - off));
            }
            long t1 = System.nanoTime();
            JfrBridge bridge = new JfrBridge();
            ByteArrayOutputStream b2 = new ByteArrayOutputStream(trace.length);
            for (int off = 0; off < trace.length; off += 65536) {
                int n = Math.min(65536, trace.length - off);
                b2.write(trace, off, n);
                bridge.write(trace, off, n);
            }
            long t2 = System.nanoTime();
            bridge.end();
            bridge.awaitEnd(Duration.ofMinutes(1));
            JfrBridge.Stats s = bridge.stats();
            if (s.skippedGenerations() != s.generations()) {
                throw new IllegalStateException("expected every generation skipped: " + s);
            }
            if (r >= 1) {
                plain[r - 1] = trace.length / 1e6 / ((t1 - t0) / 1e9);
                tee[r - 1] = trace.length / 1e6 / ((t2 - t1) / 1e9);
            }
        }
        System.out.printf("2. tee, no recording: %.0f MB/s into the tee (copy + framing) vs %.0f MB/s plain copy"
                + " (%d-byte trace); generations parsed: 0%n", median(tee), median(plain), trace.length);
    }

    // ---------------------------------------------------------------- 3

    private static void committing(byte[] trace, int rounds) throws Exception {
        double[] rate = new double[rounds];
        long events = 0;
        for (int r = 0; r < rounds; r++) {
            try (Recording rec = new Recording(JfrBridge.settings())) {
                rec.setToDisk(true);
                rec.start();
                JfrBridge bridge = new JfrBridge();
                long t0 = System.nanoTime();
                for (int off = 0; off < trace.length; off += 65536) {
                    bridge.write(trace, off, Math.min(65536, trace.length - off));
                }
                bridge.end();
                bridge.awaitEnd(Duration.ofMinutes(5));
                long t1 = System.nanoTime();
                events = bridge.stats().committed().values().stream().mapToLong(Long::longValue).sum();
                rate[r] = events / ((t1 - t0) / 1e9);
                rec.stop();
            }
        }
        System.out.printf("3. bridge with a recording taking every type: %.0f JFR events/s committed (%d per run)%n",
                median(rate), events);
    }

    // ---------------------------------------------------------------- 4

    private static void workload(int rounds) throws Exception {
        int requests = 3000;
        Path file = Files.createTempFile("bridgecost", ".trace");
        try {
            double[] none = new double[rounds];
            double[] toFile = new double[rounds];
            double[] tee = new double[rounds];
            double[] teeRec = new double[rounds];
            double[] drain = new double[rounds];
            for (int r = 0; r < rounds + 1; r++) {
                long t0 = System.nanoTime();
                work(requests);
                long w0 = System.nanoTime() - t0;
                long w1;
                try (OutputStream os = Files.newOutputStream(file)) {
                    LoomTrace.start(os, options());
                    long s1 = System.nanoTime();
                    work(requests);
                    w1 = System.nanoTime() - s1;
                    LoomTrace.stop();
                }
                long w2;
                try (TeeStream os = JfrBridge.tee(Files.newOutputStream(file))) {
                    LoomTrace.start(os, options());
                    long s2 = System.nanoTime();
                    work(requests);
                    w2 = System.nanoTime() - s2;
                    LoomTrace.stop();
                }
                long w3;
                long d3;
                try (Recording rec = new Recording(JfrBridge.settings())) {
                    rec.start();
                    TeeStream os = JfrBridge.tee(Files.newOutputStream(file));
                    LoomTrace.start(os, options());
                    long s3 = System.nanoTime();
                    work(requests);
                    w3 = System.nanoTime() - s3;
                    LoomTrace.stop();
                    long e3 = System.nanoTime();
                    os.close(); // waits for the bridge's last commits
                    d3 = System.nanoTime() - e3;
                    rec.stop();
                }
                if (r >= 1) {
                    none[r - 1] = w0 / 1e6;
                    toFile[r - 1] = w1 / 1e6;
                    tee[r - 1] = w2 / 1e6;
                    teeRec[r - 1] = w3 / 1e6;
                    drain[r - 1] = d3 / 1e6;
                }
            }
            double base = median(none);
            System.out.printf("4. workload (%d virtual threads, time of the workload itself): untraced %.0f ms;"
                            + " traced to a file %.2fx; tee, no recording %.2fx; tee + recording %.2fx;"
                            + " then the bridge needed %.0f ms more to commit the rest%n",
                    requests, base, median(toFile) / base, median(tee) / base, median(teeRec) / base, median(drain));
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // temp file
            }
        }
    }
}
