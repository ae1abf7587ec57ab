package dev.loomtracer.stress;

import dev.loomtracer.judge.GoBinary;

import dev.loomtracer.FlightRecorder;
import dev.loomtracer.LoomTrace;
import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import dev.loomtracer.engine.EngineProbe;
import dev.loomtracer.engine.Tracer;
import dev.loomtracer.hooks.TracingScheduler;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The start/stop stress run (Go's TestTraceStress / TestTraceStressStartStop): thousands of
 * virtual threads, on a {@link TracingScheduler} so that the capture layer traces their every
 * mount, block and unblock, churn through every kind of blocking while tracing is started and
 * stopped over and over, streamed, read through {@code readTrace}, or kept by the flight
 * recorder and snapshotted. Every trace is checked by the project's validator, and every
 * {@code --go-every}th (CI: every one) by {@code go tool trace -d=1}; without a Go 1.23 it refuses
 * to run (exit 2). It prints {@code N runs so far, F failures} as it goes.
 *
 * <p>Also, once per run: a reader that stops reading (memory stays bounded, the application keeps
 * going, the trace ends early with a final generation that records the loss under
 * "loomtrace.loss"), and a JVM halted mid-trace in a child process (the file holds every complete
 * generation, readable by both judges up to the cut).
 *
 * <pre>
 * ./loomtrace stress [--seconds N] [--cycles N] [--vts N] [--go-every K] [--dir DIR] [--no-special]
 * </pre>
 * Exits 0 if there was no failure, 1 otherwise.
 */
public final class StressMain {
    private long seconds = 60;
    private long maxCycles = Long.MAX_VALUE;
    private int vts = 2000;
    private int goEvery = 25;
    private boolean special = true;
    private Path dir;
    private Path go;

    private long runs;
    private long failures;
    private long validated;
    private long goJudged;
    private long lossRuns;
    private long bytes;
    private long generations;
    private final List<String> failureMessages = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("--child-halt")) {
            childHalt(Path.of(args[1]), Long.parseLong(args[2]));
            return;
        }
        StressMain m = new StressMain();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> m.seconds = Long.parseLong(args[++i]);
                case "--cycles" -> m.maxCycles = Long.parseLong(args[++i]);
                case "--vts" -> m.vts = Integer.parseInt(args[++i]);
                case "--go-every" -> m.goEvery = Integer.parseInt(args[++i]);
                case "--dir" -> m.dir = Path.of(args[++i]);
                case "--no-special" -> m.special = false;
                default -> {
                    System.err.println("usage: StressMain [--seconds N] [--cycles N] [--vts N] [--go-every K] [--dir DIR] [--no-special]");
                    System.exit(2);
                }
            }
        }
        System.exit(m.run() ? 0 : 1);
    }

    private boolean run() throws Exception {
        boolean tempDir = dir == null;
        if (tempDir) {
            dir = Files.createTempDirectory("loomtrace-stress");
        }
        Files.createDirectories(dir);
        GoBinary.Lookup judge = GoBinary.find();
        if (judge.go().isEmpty()) { // a stress run whose traces Go cannot judge proves less than it says: refuse it
            System.err.println("stress: Go >= 1.23 is required to judge the traces and "
                    + (judge.problem() != null ? judge.problem() : "none was found (tried " + String.join(", ", judge.tried()) + ")")
                    + "; scripts/ensure-go.sh installs it");
            System.exit(2);
        }
        go = judge.go().get();
        System.out.printf(Locale.ROOT, "stress: %d virtual threads, %d s, traces in %s, Go judge every %d traces%n",
                vts, seconds, dir, goEvery);
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(seconds);
        long lastReport = t0;
        try (TracingScheduler sched = TracingScheduler.create(Math.max(2, Runtime.getRuntime().availableProcessors()));
             ChurnWorkload w = new ChurnWorkload(sched.factory(), vts)) {
            if (special) {
                check("halted JVM", this::haltedChild);
                check("stalled reader", () -> stalledReader(w));
            }
            long cycle = 0;
            while (System.nanoTime() < deadline && cycle < maxCycles) {
                cycle++;
                final long c = cycle;
                switch ((int) (cycle % 3)) {
                    case 0 -> check("flight recorder #" + c, () -> flightCycle(c));
                    case 1 -> check("stream #" + c, () -> streamCycle(c));
                    default -> check("reader #" + c, () -> readerCycle(c));
                }
                if (failures >= 20) {
                    System.out.println("stress: stopping early after " + failures + " failures");
                    break;
                }
                if (w.errors.get() > 0) {
                    fail("workload", "workload error: " + w.firstError());
                    break;
                }
                long now = System.nanoTime();
                if (now - lastReport > TimeUnit.SECONDS.toNanos(10)) {
                    lastReport = now;
                    report(now - t0, w);
                }
            }
            report(System.nanoTime() - t0, w);
        }
        System.out.printf(Locale.ROOT, "stress: done: %d runs, %d failures; %d traces validated, %d judged by Go, %d ended early by a loss, %,d bytes, %d generations%n",
                runs, failures, validated, goJudged, lossRuns, bytes, generations);
        for (String f : failureMessages) {
            System.out.println("FAILURE: " + f);
        }
        if (failures == 0 && tempDir) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        } else if (failures > 0) {
            System.out.println("stress: the traces that failed are kept in " + dir);
        }
        return failures == 0;
    }

    private void report(long elapsedNanos, ChurnWorkload w) {
        System.out.printf(Locale.ROOT, "%s: %d runs so far, %d failures (%d judged by Go, %,d workload ops)%n",
                Duration.ofNanos(elapsedNanos).withNanos(0).toString().substring(2).toLowerCase(Locale.ROOT),
                runs, failures, goJudged, w.ops.get());
        System.out.flush();
    }

    interface Check {
        void run() throws Exception;
    }

    private void check(String name, Check c) {
        runs++;
        try {
            c.run();
        } catch (Throwable e) {
            fail(name, e.toString());
            if (e.getCause() != null && failureMessages.size() < 50) {
                failureMessages.add("  caused by " + e.getCause());
            }
        }
    }

    private void fail(String name, String message) {
        failures++;
        String m = name + ": " + message;
        if (failureMessages.size() < 50) {
            failureMessages.add(m);
        }
        System.out.println("FAILURE " + m);
        System.out.flush();
    }

    private static TraceOptions options(ThreadLocalRandom r) {
        return TraceOptions.defaults()
                .generationPeriod(Duration.ofMillis(r.nextInt(10, 200)))
                .generationBytes(r.nextBoolean() ? 256L << 10 : 4L << 20);
    }

    private Path traceFile(String kind, long cycle) {
        return dir.resolve(kind + "-" + cycle + ".trace");
    }

    /** Validates a trace; Go judges every {@code goEvery}th. The file is deleted if valid. */
    private void judge(Path file, long cycle) throws Exception {
        TraceCheck.Parsed p = TraceCheck.validate(file);
        validated++;
        generations += p.generations();
        bytes += Files.size(file);
        if (p.logCategories().contains("loomtrace.loss")) {
            lossRuns++;
        }
        if (cycle % goEvery == 0) {
            TraceCheck.goJudge(go, file);
            goJudged++;
        }
        Files.delete(file);
    }

    private static void sleepRandom(ThreadLocalRandom r, int maxMillis) throws InterruptedException {
        Thread.sleep(r.nextInt(0, maxMillis));
    }

    private void streamCycle(long cycle) throws Exception {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        Path file = traceFile("stream", cycle);
        try (OutputStream out = Files.newOutputStream(file)) {
            LoomTrace.start(out, options(r));
            sleepRandom(r, 250);
            TraceResult res = LoomTrace.stop();
            if (res == null) {
                throw new IllegalStateException("stop returned null for a running trace");
            }
        }
        judge(file, cycle);
    }

    private void readerCycle(long cycle) throws Exception {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        Path file = traceFile("reader", cycle);
        LoomTrace.startForReading(options(r));
        Exception[] failure = new Exception[1];
        Thread reader = Thread.ofPlatform().name("stress-reader").start(() -> {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                for (ByteBuffer b; (b = LoomTrace.readTrace()) != null; ) {
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                }
            } catch (Exception e) {
                failure[0] = e;
            }
        });
        sleepRandom(r, 250);
        LoomTrace.stop();
        reader.join();
        if (failure[0] != null) {
            throw failure[0];
        }
        judge(file, cycle);
    }

    private void flightCycle(long cycle) throws Exception {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        FlightRecorder fr = FlightRecorder.start(Duration.ofMillis(r.nextInt(0, 300)), 8L << 20, options(r));
        List<Path> snaps = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                sleepRandom(r, 150);
                Path file = dir.resolve("flight-" + cycle + "-" + i + ".trace");
                try (OutputStream out = Files.newOutputStream(file)) {
                    fr.writeTo(out);
                } catch (IllegalStateException e) {
                    // "no complete generation yet": a legitimate answer right after start
                    Files.deleteIfExists(file);
                    continue;
                }
                snaps.add(file);
            }
        } finally {
            fr.stop();
        }
        for (Path p : snaps) {
            judge(p, cycle);
        }
    }

    // ---------------------------------------------------------------- a reader that stops reading

    /**
     * Starts a trace for reading with 1 MiB of buffer memory and does not read for a while. The
     * application must keep going (the workload's op count grows), the tracer's buffer memory
     * must stay within its limit, and the engine must end the trace early; read then, the trace
     * is valid and its last generation carries the "loomtrace.loss" log.
     */
    private void stalledReader(ChurnWorkload w) throws Exception {
        long limit = 1L << 20;
        LoomTrace.startForReading(TraceOptions.defaults().generationPeriod(Duration.ofMillis(50))
                .generationBytes(256L << 10).bufferMemory(limit));
        long ops0 = w.ops.get();
        int maxBuffers = 0;
        int cap = 0;
        long stallEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() < stallEnd) {
            int[] b = EngineProbe.buffers(Tracer.GLOBAL);
            maxBuffers = Math.max(maxBuffers, b[0]);
            cap = b[1];
            Thread.sleep(20);
        }
        long opsDuringStall = w.ops.get() - ops0;
        Path file = dir.resolve("stalled-reader.trace");
        Exception[] failure = new Exception[1];
        Thread reader = Thread.ofPlatform().name("stress-late-reader").start(() -> {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                for (ByteBuffer b; (b = LoomTrace.readTrace()) != null; ) {
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                }
            } catch (Exception e) {
                failure[0] = e;
            }
        });
        TraceResult res = LoomTrace.stop();
        reader.join();
        if (failure[0] != null) {
            throw failure[0];
        }
        if (opsDuringStall == 0) {
            throw new IllegalStateException("the application made no progress while the reader stalled");
        }
        if (maxBuffers > cap) {
            throw new IllegalStateException("buffer memory exceeded its limit: " + maxBuffers + " > " + cap + " buffers");
        }
        if (res == null || res.lostEvents() == 0) {
            throw new IllegalStateException("a stalled reader lost no events: " + res);
        }
        TraceCheck.Parsed p = TraceCheck.validate(file);
        validated++;
        if (!p.logCategories().contains("loomtrace.loss")) {
            throw new IllegalStateException("the trace does not record the loss (no loomtrace.loss log)");
        }
        TraceCheck.goJudge(go, file);
        goJudged++;
        System.out.printf(Locale.ROOT, "stalled reader: %,d workload ops during a 3 s stall, buffers peaked at %d of %d (%d KiB each), "
                + "%,d events lost, trace ended after %d generations with the loss recorded%n",
                opsDuringStall, maxBuffers, cap, EngineProbe.bufferBytes() >> 10, res.lostEvents(), p.generations());
        Files.delete(file);
    }

    // ---------------------------------------------------------------- a JVM halted mid-trace

    /** In a child JVM: runs the workload, streams a trace to {@code file}, halts after {@code millis}. */
    private static void childHalt(Path file, long millis) throws Exception {
        TracingScheduler sched = TracingScheduler.create(2);
        ChurnWorkload w = new ChurnWorkload(sched.factory(), 500);
        OutputStream out = Files.newOutputStream(file);
        LoomTrace.start(out, TraceOptions.defaults().generationPeriod(Duration.ofMillis(50)));
        Thread.sleep(millis);
        System.out.println("halting with " + w.ops.get() + " ops done");
        System.out.flush();
        Runtime.getRuntime().halt(3);
    }

    private void haltedChild() throws Exception {
        Path file = dir.resolve("halted.trace");
        Files.deleteIfExists(file);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ProcessHandle.current().info().arguments().map(StressMain::jvmOptions).orElse(List.of()));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(StressMain.class.getName());
        cmd.add("--child-halt");
        cmd.add(file.toString());
        cmd.add(Long.toString(ThreadLocalRandom.current().nextLong(700, 1500)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("halted-child.log").toFile()).start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("the child did not halt");
        }
        if (p.exitValue() != 3) {
            throw new IllegalStateException("the child exited " + p.exitValue() + ", not by the halt; log: "
                    + Files.readString(dir.resolve("halted-child.log")));
        }
        TraceCheck.Parsed whole = TraceCheck.parse(file);
        if (whole.error() != null && !whole.error().truncated()) {
            throw new IllegalStateException("the halted trace is invalid (not merely cut): " + whole.error().getMessage());
        }
        byte[] all = Files.readAllBytes(file);
        long prefix = TraceCheck.completePrefix(all);
        Path cut = dir.resolve("halted-complete.trace");
        try (FileChannel ch = FileChannel.open(cut, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(all, 0, (int) prefix));
        }
        TraceCheck.Parsed complete = TraceCheck.validate(cut);
        validated++;
        if (whole.generations() < complete.generations()) {
            throw new IllegalStateException("the parser read fewer generations from the halted file (" + whole.generations()
                    + ") than it holds complete (" + complete.generations() + ")");
        }
        TraceCheck.goJudge(go, cut);
        goJudged++;
        System.out.printf(Locale.ROOT, "halted JVM: %,d bytes written before the halt, %d complete generations (%,d bytes) "
                + "valid for both judges, the parser read %d generations then %s%n",
                all.length, complete.generations(), prefix, whole.generations(),
                whole.error() == null ? "a clean end" : "reported the cut at byte " + whole.error().offset());
        Files.delete(file);
        Files.delete(cut);
    }

    /** The JVM options of this process (what follows is the main class). */
    private static List<String> jvmOptions(String[] args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path")) {
                i++;
                continue;
            }
            if (!a.startsWith("-")) {
                break; // the main class
            }
            if (a.equals("--add-exports") || a.equals("--add-opens") || a.equals("--add-modules")) {
                out.add(a);
                out.add(args[++i]);
                continue;
            }
            out.add(a);
        }
        return out;
    }
}
