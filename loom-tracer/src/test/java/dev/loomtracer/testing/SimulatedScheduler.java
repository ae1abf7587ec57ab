package dev.loomtracer.testing;

import static dev.loomtracer.testing.Spi.emit;

import dev.loomtracer.engine.Tracer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Drives the engine's capture SPI the way a scheduler does, with platform threads standing in for
 * the scheduler's: a platform "creator" makes {@code vts} (unstarted) virtual-thread objects and
 * tells their creation; a generation switch follows (the creations then are a complete generation
 * of their own, however fast the machine); {@code carriers} platform carriers take them from a run
 * queue round after round and tell each start; a platform "unparker" tells the unblock of each
 * that blocked and queues it again. What a round does after its start, and how it ends (destroyed,
 * yielded or blocked, which the {@link Round} tells itself), is the caller's.
 *
 * <p>Invariant: every transition is told once, by the thread a scheduler would tell it on; a
 * virtual thread is on at most one carrier at a time; {@link #run} returns after every virtual
 * thread was destroyed and every driver thread has ended.
 */
public final class SimulatedScheduler {
    private SimulatedScheduler() {}

    /** How a round ended. */
    public enum Outcome { DESTROYED, YIELDED, BLOCKED }

    /** One round of a virtual thread, on a carrier, after its start was told. */
    @FunctionalInterface
    public interface Round {
        /**
         * Tells what the thread does in this round and how the round ends (a destroy, a stop or a
         * block, through {@link Spi#emit}); returns which.
         *
         * @param vt    the virtual thread
         * @param index its creation index, from 0
         * @param left  the rounds it has left after this one (0: its last)
         */
        Outcome run(Thread vt, int index, int left);
    }

    /** The threads that drove the run. */
    public record Run(Thread creator, List<Thread> carriers, Thread unparker, List<Thread> virtualThreads) {}

    /**
     * Runs the simulation on {@code t} (tracing must be running): driver threads are named
     * {@code prefix + "creator"}, {@code prefix + "carrier-" + i} and {@code prefix + "unparker"}.
     */
    public static Run run(Tracer t, String prefix, int vts, int rounds, int carrierCount, Round round)
            throws InterruptedException {
        BlockingQueue<Thread> runQueue = new ArrayBlockingQueue<>(vts);
        BlockingQueue<Thread> blocked = new ArrayBlockingQueue<>(vts);
        Map<Thread, Integer> left = new ConcurrentHashMap<>();
        Map<Thread, Integer> index = new ConcurrentHashMap<>();
        List<Thread> created = new ArrayList<>();
        Thread creator = Thread.ofPlatform().name(prefix + "creator").start(() -> {
            for (int i = 0; i < vts; i++) {
                Thread vt = Thread.ofVirtual().unstarted(() -> {});
                left.put(vt, rounds);
                index.put(vt, i);
                created.add(vt);
                emit(t, w -> w.goCreate(Thread.currentThread(), vt, false, null, null));
                runQueue.add(vt);
            }
        });
        creator.join();
        t.advanceNow();
        AtomicInteger done = new AtomicInteger();
        List<Thread> carriers = new ArrayList<>();
        for (int c = 0; c < carrierCount; c++) {
            carriers.add(Thread.ofPlatform().name(prefix + "carrier-" + c).start(() -> {
                try {
                    while (done.get() < vts) {
                        Thread vt = runQueue.poll(10, TimeUnit.MILLISECONDS);
                        if (vt == null) {
                            continue;
                        }
                        int l = left.merge(vt, -1, Integer::sum);
                        emit(t, w -> w.goStart(vt));
                        switch (round.run(vt, index.get(vt), l)) {
                            case DESTROYED -> done.incrementAndGet();
                            case YIELDED -> runQueue.add(vt);
                            case BLOCKED -> blocked.add(vt);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        Thread unparker = Thread.ofPlatform().name(prefix + "unparker").start(() -> {
            try {
                while (done.get() < vts) {
                    Thread vt = blocked.poll(10, TimeUnit.MILLISECONDS);
                    if (vt != null) {
                        emit(t, w -> w.goUnblock(vt, Thread.currentThread(), null));
                        runQueue.add(vt);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (Thread c : carriers) {
            c.join();
        }
        unparker.join();
        return new Run(creator, List.copyOf(carriers), unparker, List.copyOf(created));
    }
}
