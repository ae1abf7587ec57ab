package dev.loomtracer.jfr.cli;

import dev.loomtracer.Region;
import dev.loomtracer.Task;
import dev.loomtracer.jfr.live.AutoBridge;
import dev.loomtracer.jfr.live.JfrBridge;

import jdk.jfr.Recording;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code LiveDemo [-o FILE.jfr] [--requests N]}: the live bridge end to end. Installs
 * {@link AutoBridge}, records JFR with Loom Tracer's settings while a toy request server runs on
 * virtual threads (a shared lock, a queue hand-off to a worker, sleeps, tasks, regions, logs),
 * and writes the recording. With the capture agent
 * ({@code -javaagent:carrier-hooks-...-agent.jar}) the recording holds the virtual threads'
 * scheduling (runs, parks, unparks); without it, the tasks, regions and logs.
 *
 * <p>If a recording is already running with the settings (e.g.
 * {@code -XX:StartFlightRecording:settings=default,settings=/path/loomtracer.jfc,filename=...}), it uses that one
 * and writes nothing itself.
 */
public final class LiveDemo {
    private LiveDemo() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of("live-demo.jfr");
        int requests = 500;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-o" -> out = Path.of(args[++i]);
                case "--requests" -> requests = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: LiveDemo [-o FILE.jfr] [--requests N]");
                    System.exit(2);
                }
            }
        }
        try (AutoBridge auto = AutoBridge.install()) {
            boolean external = jdk.jfr.FlightRecorder.isInitialized()
                    && !jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings().isEmpty();
            Recording own = null;
            if (!external) {
                own = new Recording(JfrBridge.settings());
                own.start();
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (auto.bridge() == null && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            System.out.println("tracing into JFR: " + (auto.bridge() != null));
            workload(requests);
            if (own != null) {
                own.stop(); // the end-of-chunk hook flushes the bridge first
                own.dump(out);
                own.close();
                System.out.println("wrote " + out + "; jfr summary " + out);
            }
            JfrBridge b = auto.bridge();
            if (b != null) {
                System.out.println("bridge: " + b.stats());
            }
        }
    }

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
            threads.add(Thread.ofVirtual().name("request-" + i).start(() -> {
                try (Task task = Task.begin("request")) {
                    try (Region r = task.region("cache")) {
                        cacheLock.lock();
                        try {
                            spin(5_000);
                        } finally {
                            cacheLock.unlock();
                        }
                    }
                    try (Region r = task.region("backend")) {
                        Thread.sleep(1 + id % 3);
                        CountDownLatch done = new CountDownLatch(1);
                        work.put(done::countDown);
                        done.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    task.log("status", id % 50 == 0 ? "slow" : "ok");
                }
            }));
            if (i % 100 == 99) {
                Thread.sleep(20);
            }
        }
        for (Thread t : threads) {
            t.join();
        }
        worker.interrupt();
        worker.join();
    }

    private static volatile long sink;

    private static void spin(int n) {
        long x = 0;
        for (int i = 0; i < n; i++) {
            x += i * 31L;
        }
        sink += x;
    }
}
