package dev.loomtracer.cli;

import dev.loomtracer.LoomTrace;
import dev.loomtracer.Region;
import dev.loomtracer.Task;
import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import dev.loomtracer.parse.TraceFormatException;
import dev.loomtracer.parse.TraceSummary;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code loomtrace demo [-o FILE] [--requests N]}: traces a bundled virtual-thread workload with
 * the public API, writes the trace, validates it and prints a summary.
 *
 * <p>The workload is a toy request server: each request is a {@link Task} on its own virtual
 * thread, with regions for its phases, a log of its outcome, a shared lock, a queue hand-off to
 * a worker, and short sleeps. Invariant: exit 0 only if the trace it wrote is valid.
 */
public final class Demo {
    private Demo() {}

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Path file = Path.of("demo.trace");
        int requests = 2000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-o" -> file = Path.of(need(args, ++i, "-o"));
                case "--requests" -> requests = Integer.parseInt(need(args, ++i, "--requests"));
                case "-h", "--help" -> {
                    out.println("usage: loomtrace demo [-o FILE] [--requests N]");
                    return 0;
                }
                default -> {
                    err.println("demo: unknown option " + args[i] + "\nusage: loomtrace demo [-o FILE] [--requests N]");
                    return 2;
                }
            }
        }
        if (requests < 1) {
            err.println("demo: --requests must be at least 1");
            return 2;
        }

        out.printf("Tracing %d requests on virtual threads into %s ...%n", requests, file);
        TraceResult result;
        try (OutputStream os = Files.newOutputStream(file)) {
            LoomTrace.start(os, TraceOptions.defaults().generationPeriod(Duration.ofMillis(200))
                    .stacks(TraceOptions.Stacks.ON_BLOCK));
            try {
                workload(requests);
            } finally {
                result = LoomTrace.stop();
            }
        }
        TraceSummary s;
        try {
            s = TraceSummary.of(file);
        } catch (TraceFormatException e) {
            err.println("demo: the trace is INVALID: " + e.getMessage());
            return 1;
        }
        out.println();
        out.printf("  generations  %d%n", s.generations());
        out.printf("  events       %d%n", s.events());
        out.printf("  goroutines   %d (virtual threads and the platform threads that emitted events)%n", s.goroutines().size());
        out.printf("  procs        %d (one per carrier)%n", s.procs().size());
        out.printf("  bytes        %d (%.1f bytes/event)%n", s.bytes(), s.bytes() / (double) Math.max(1, s.events()));
        if (!s.blockReasons().isEmpty()) {
            out.println("  blocked, by reason:");
            for (Map.Entry<String, Long> e : s.blockReasons().entrySet()) {
                out.printf("    %-40s %d%n", e.getKey(), e.getValue());
            }
        }
        if (!result.complete()) {
            out.printf("  lost events  %d, inconsistent %d%n", result.lostEvents(), result.inconsistentEvents());
        }
        out.println();
        out.println(file + " is valid. Open it with:  go tool trace " + file);
        return 0;
    }

    private static String need(String[] args, int i, String opt) {
        if (i >= args.length) {
            throw new IllegalArgumentException(opt + " needs a value");
        }
        return args[i];
    }

    /** A toy request server: requests on virtual threads, a lock, a queue to a worker, sleeps. */
    static void workload(int requests) throws InterruptedException {
        ReentrantLock cacheLock = new ReentrantLock();
        BlockingQueue<Runnable> work = new ArrayBlockingQueue<>(16);
        Thread worker = Thread.ofVirtual().name("worker").start(() -> {
            try {
                for (;;) {
                    work.take().run();
                }
            } catch (InterruptedException e) {
                // done
            }
        });
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            int id = i;
            threads.add(Thread.ofVirtual().name("request-" + i).start(() -> serve(id, cacheLock, work)));
            if (i % 200 == 199) {
                Thread.sleep(20); // arrivals in waves
            }
        }
        for (Thread t : threads) {
            t.join();
        }
        worker.interrupt();
        worker.join();
    }

    private static void serve(int id, ReentrantLock cacheLock, BlockingQueue<Runnable> work) {
        try (Task task = Task.begin("request")) {
            try (Region r = task.region("parse")) {
                spin(2_000);
            }
            try (Region r = task.region("cache")) {
                cacheLock.lock();
                try {
                    spin(1_000);
                } finally {
                    cacheLock.unlock();
                }
            }
            try (Region r = task.region("backend")) {
                Thread.sleep(1 + id % 3);
                java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
                work.put(done::countDown);
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            task.log("status", id % 50 == 0 ? "slow" : "ok");
        }
    }

    private static long sink;

    private static void spin(int iterations) {
        long x = 0;
        for (int i = 0; i < iterations; i++) {
            x += i * 31L;
        }
        sink += x;
    }
}
