package dev.loomtracer.hooks;

import dev.loomtracer.Region;
import dev.loomtracer.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A workload that measures its own ground truth, for {@code AnalysisGroundTruthTest}: {@link #CLIENTS}
 * virtual threads each serve {@link #REQUESTS} requests in turn, each a task "request" that waits for
 * a contended {@code ReentrantLock} (held across an 8 ms sleep), sleeps 12 ms, and asks a producer for an item, which it
 * takes from its own reply queue; the producer answers each ask after 10 ms (waiting with
 * {@code LockSupport.parkNanos}, a reason of its own), so every take waits. Around every blocking call the program adds {@code System.nanoTime()}
 * differences per kind; around every request, its wall time.
 *
 * Each client first warms up outside any task (a sleep, the lock, a 1 ms poll of an empty queue), unmeasured.
 *
 * <p>Output (args[0]): lines {@code lock|sleep|take COUNT CALL_NANOS REGION_NANOS} and {@code request NANOS...}:
 * CALL_NANOS around the blocking calls, REGION_NANOS around the regions that hold them (entering
 * and ending the region included), so the trace's region time lies between the two whatever the
 * OS does to the thread between a region's edge and the call.
 * Invariant: the measured spans hold everything the trace can show for that call (the block, the
 * scheduler wait after it, the running inside the call), so the trace's blocked time is a little
 * less; the waits are long enough that the difference (about 0.2 ms per call measured here under
 * the agent, mostly running inside {@code Thread.sleep} before it parks and after it resumes)
 * stays well under 5 %.
 */
public final class TimedRequests {
    static final int CLIENTS = 4;
    static final int REQUESTS = 10;

    private static final ReentrantLock LOCK = new ReentrantLock();
    /** Where clients ask the producer for an item: the reply queue to put it in. */
    private static final BlockingQueue<BlockingQueue<Integer>> ASKS = new java.util.concurrent.LinkedBlockingQueue<>();

    private record Kinds(long[] lock, long[] sleep, long[] take, List<Long> requests) {
        Kinds() {
            this(new long[3], new long[3], new long[3], new ArrayList<>());
        }
    }

    public static void main(String[] args) throws Exception {
        Thread producer = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < CLIENTS * REQUESTS; i++) {
                    BlockingQueue<Integer> reply = ASKS.take();
                    LockSupport.parkNanos(10_000_000);
                    reply.add(i);
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        List<Thread> clients = new ArrayList<>();
        List<Kinds> results = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            Kinds k = new Kinds();
            results.add(k);
            clients.add(Thread.ofVirtual().start(() -> serve(k)));
        }
        for (Thread t : clients) {
            t.join();
        }
        producer.join();
        Kinds all = new Kinds();
        for (Kinds k : results) {
            add(all.lock, k.lock);
            add(all.sleep, k.sleep);
            add(all.take, k.take);
            all.requests.addAll(k.requests);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("lock ").append(all.lock[0]).append(' ').append(all.lock[1]).append(' ').append(all.lock[2]).append('\n');
        sb.append("sleep ").append(all.sleep[0]).append(' ').append(all.sleep[1]).append(' ').append(all.sleep[2]).append('\n');
        sb.append("take ").append(all.take[0]).append(' ').append(all.take[1]).append(' ').append(all.take[2]).append('\n');
        sb.append("request");
        all.requests.forEach(r -> sb.append(' ').append(r));
        sb.append('\n');
        Files.writeString(Path.of(args[0]), sb);
    }

    private static void add(long[] into, long[] from) {
        into[0] += from[0];
        into[1] += from[1];
        into[2] += from[2];
    }

    private static void serve(Kinds k) {
        try {
            // Warm-up, outside any task and not measured: the first call of each kind runs for
            // milliseconds (class loading, the agent's first transformations, JIT) before it parks.
            Thread.sleep(1);
            LOCK.lock();
            LOCK.unlock();
            new ArrayBlockingQueue<Integer>(1).poll(1, java.util.concurrent.TimeUnit.MILLISECONDS); // never the real queue: no item lost
            for (int i = 0; i < REQUESTS; i++) {
                long t0 = System.nanoTime();
                try (Task task = Task.begin("request")) {
                    long t;
                    long outer = System.nanoTime();
                    try (Region r = task.region("lock")) {
                        t = System.nanoTime();
                        LOCK.lock();
                        count(k.lock, t);
                    }
                    outer(k.lock, outer);
                    try {
                        outer = System.nanoTime();
                        try (Region r = task.region("sleep")) {
                            t = System.nanoTime();
                            Thread.sleep(8);
                            count(k.sleep, t);
                        }
                        outer(k.sleep, outer);
                    } finally {
                        LOCK.unlock();
                    }
                    outer = System.nanoTime();
                    try (Region r = task.region("sleep")) {
                        t = System.nanoTime();
                        Thread.sleep(12);
                        count(k.sleep, t);
                    }
                    outer(k.sleep, outer);
                    BlockingQueue<Integer> reply = new ArrayBlockingQueue<>(1);
                    ASKS.add(reply);
                    outer = System.nanoTime();
                    try (Region r = task.region("take")) {
                        t = System.nanoTime();
                        reply.take();
                        count(k.take, t);
                    }
                    outer(k.take, outer);
                }
                k.requests.add(System.nanoTime() - t0);
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The span from before the region was entered to after it ended: it holds the whole region. */
    private static void outer(long[] kind, long since) {
        kind[2] += System.nanoTime() - since;
    }

    private static void count(long[] kind, long since) {
        kind[0]++;
        kind[1] += System.nanoTime() - since;
    }

}
