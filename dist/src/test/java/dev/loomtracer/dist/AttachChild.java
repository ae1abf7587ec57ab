package dev.loomtracer.dist;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The plain JVM (no agent, no tracer on its class path) that {@link AttachTest} attaches to. It
 * does what its stdin says and prints what it did, the same lines whether or not it is traced:
 * <ul>
 *   <li>{@code round}: {@value #THREADS} virtual threads ({@link Worker}) each park {@value #PARKS}
 *       times on a {@link Gate}, each park released by this thread only once the worker is parked,
 *       so each is one block; prints its own counts;</li>
 *   <li>{@code round-when-traced}: the same, once the agent says a trace runs (system property
 *       {@code loomtrace.state}; no clock involved);</li>
 *   <li>{@code exit-when-traced}: {@code System.exit(5)} once a trace runs;</li>
 *   <li>end of input: prints {@code bye} and exits with status 7.</li>
 * </ul>
 */
public final class AttachChild {
    static final int THREADS = 20;
    static final int PARKS = 5;

    /** The blocker: the trace names a park on it {@code park AttachChild$Gate}. */
    static final class Gate {}

    /** A round's thread: its trace start stack names this class. */
    static final class Worker implements Runnable {
        final Gate gate = new Gate();
        final AtomicInteger released = new AtomicInteger();
        final AtomicInteger parks;

        Worker(AtomicInteger parks) {
            this.parks = parks;
        }

        @Override
        public void run() {
            for (int i = 1; i <= PARKS; i++) {
                while (released.get() < i) {
                    parks.incrementAndGet();
                    LockSupport.park(gate);
                }
            }
        }
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        System.out.println("ready");
        int round = 0;
        for (String cmd; (cmd = in.readLine()) != null; ) {
            switch (cmd) {
                case "round" -> round(++round);
                case "round-when-traced" -> {
                    awaitTracing();
                    round(++round);
                }
                case "exit-when-traced" -> {
                    awaitTracing();
                    System.exit(5);
                }
                default -> System.out.println("unknown command " + cmd);
            }
        }
        System.out.println("bye");
        System.exit(7);
    }

    private static void round(int n) throws InterruptedException {
        AtomicInteger parks = new AtomicInteger();
        List<Worker> workers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            Worker w = new Worker(parks);
            workers.add(w);
            threads.add(Thread.ofVirtual().start(w));
        }
        for (int p = 1; p <= PARKS; p++) {
            for (int i = 0; i < THREADS; i++) {
                Thread t = threads.get(i);
                while (t.getState() != Thread.State.WAITING) {
                    Thread.onSpinWait(); // until it is parked: then the unpark ends a real block
                }
                workers.get(i).released.set(p);
                LockSupport.unpark(t);
            }
        }
        for (Thread t : threads) {
            t.join();
        }
        System.out.println("round " + n + ": " + THREADS + " threads, " + parks.get() + " parks");
    }

    private static void awaitTracing() throws InterruptedException {
        while (!String.valueOf(System.getProperty("loomtrace.state")).startsWith("tracing")) {
            Thread.sleep(5); // polling the agent's published state: the condition, not the time, ends the wait
        }
    }
}
