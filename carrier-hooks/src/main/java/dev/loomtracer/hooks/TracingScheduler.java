package dev.loomtracer.hooks;

import dev.loomtracer.engine.CapturedStack;
import dev.loomtracer.hooks.core.Capture;
import dev.loomtracer.hooks.core.Emit;
import dev.loomtracer.hooks.core.Reasons;
import dev.loomtracer.hooks.core.EventStacks;
import dev.loomtracer.hooks.core.VThreads;

import java.lang.reflect.Constructor;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static dev.loomtracer.hooks.core.VThreads.*;

/**
 * Virtual threads whose scheduling is traced, without an agent: they run on this scheduler's
 * own carrier threads, and the scheduler tells the tracer ({@code Tracer.GLOBAL}) every
 * creation, mount, block, yield, unblock and end.
 *
 * <pre>{@code
 * try (TracingScheduler s = TracingScheduler.create();
 *      ExecutorService ex = s.newThreadPerTaskExecutor()) {
 *     ex.submit(task);
 * }
 * }</pre>
 *
 * Built on the JDK's package-private {@code ThreadBuilders.VirtualThreadBuilder(Executor)}: the
 * JVM needs {@code --add-opens java.base/java.lang=ALL-UNNAMED}. The executor is handed each
 * virtual thread's {@code runContinuation} task on the thread that makes it runnable (there the
 * creation or unblock is told, by that thread), and runs it on a carrier (there the mount is
 * told, and after the task returns, the block, yield or end).
 *
 * <p>Invariants.
 * <ul>
 * <li>A virtual thread's stop/block/end is told before anyone can make it runnable again. The
 *     JDK publishes a parked state (PARKED, BLOCKED, WAIT) inside the run, before the task
 *     returns to the carrier, so an unparker can race the carrier: a submit for a thread whose
 *     run is still open waits (briefly spinning) until the carrier has told the block, or, if
 *     the carrier is slow, parking until the carrier wakes it. Submits of a thread by its own carrier during the run (a yield, a
 *     park whose permit was already set) tell the stop first, then queue.</li>
 * <li>Nobody runs a thread, or submits it, while a run of it is open on a carrier (its end not yet
 *     told, its continuation perhaps being walked for its stack), whether tracing is on or off
 *     by then: a submit waits for the run to close, a duplicate task goes back to the queue.
 *     Walking a continuation that another carrier mounts crashes the JVM.</li>
 * <li>Nothing here blocks inside the tracer; the engine's writes never park.</li>
 * <li>Pinned episodes (a virtual thread blocking while pinned) never reach a scheduler, so this
 *     path does not see them; the agent path does.</li>
 * </ul>
 * When the Loom Tracer agent is loaded, it traces these threads itself and this scheduler only schedules.
 */
public final class TracingScheduler implements AutoCloseable {
    private static final Constructor<?> BUILDER;
    private static final Runnable POISON = () -> { };
    /** Spins an unparker waits for a racing carrier to tell the block before it parks. */
    private static final int SPINS = 1 << 10;
    private static final AtomicInteger SCHEDULERS = new AtomicInteger();

    static {
        Constructor<?> c;
        try {
            c = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder").getDeclaredConstructor(Executor.class);
            c.setAccessible(true);
        } catch (InaccessibleObjectException e) {
            throw new IllegalStateException("TracingScheduler needs the JVM option " + VThreads.OPEN_OPTION
                    + " (it builds virtual threads with the JDK's package-private VirtualThreadBuilder(Executor))", e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this JDK (" + Runtime.version()
                    + ") has no java.lang.ThreadBuilders$VirtualThreadBuilder(Executor) constructor", e);
        }
        BUILDER = c;
        startJdkPollers();
    }

    /**
     * The JDK's socket pollers are virtual threads created on first use, and a virtual thread
     * created by a virtual thread inherits its scheduler: started from one of ours, they would
     * live on this scheduler forever and stop polling for the whole JVM once it closes. Starting
     * them now, from a platform thread, puts them on the default scheduler.
     */
    private static void startJdkPollers() {
        Runnable init = () -> {
            try {
                Class.forName("sun.nio.ch.Poller", true, null);
            } catch (ClassNotFoundException | LinkageError e) {
                // No poller in this JDK: nothing to protect.
            }
        };
        if (!Thread.currentThread().isVirtual()) {
            init.run();
            return;
        }
        Thread t = Thread.ofPlatform().daemon().unstarted(init);
        t.start();
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private final int parallelism;
    private final String name;
    private final LinkedTransferQueue<Runnable> queue = new LinkedTransferQueue<>();
    private final Carrier[] carriers;
    /** Open runs (traced ones only), by virtual thread. */
    private final ConcurrentHashMap<Thread, Run> running = new ConcurrentHashMap<>();
    /** Records in {@code running}: one load tells a submit whether it may have to wait. */
    private final AtomicInteger openRuns = new AtomicInteger();
    /** Virtual threads started here and not yet terminated. */
    private final AtomicLong live = new AtomicLong();
    private volatile boolean closing;
    private final AtomicInteger shutdown = new AtomicInteger();
    private final Executor executor = this::execute;

    private TracingScheduler(int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
        }
        this.parallelism = parallelism;
        this.name = "loomtrace-carrier-" + SCHEDULERS.incrementAndGet();
        this.carriers = new Carrier[parallelism];
        for (int i = 0; i < parallelism; i++) {
            carriers[i] = new Carrier(this, name + "-" + i);
        }
        for (Carrier c : carriers) {
            c.start();
        }
    }

    /** A scheduler with one carrier per available processor. */
    public static TracingScheduler create() {
        return create(Runtime.getRuntime().availableProcessors());
    }

    /** A scheduler with {@code parallelism} carrier threads. */
    public static TracingScheduler create(int parallelism) {
        return new TracingScheduler(parallelism);
    }

    /** A new builder of virtual threads that run on this scheduler. */
    public Thread.Builder.OfVirtual builder() {
        try {
            return (Thread.Builder.OfVirtual) BUILDER.newInstance(executor);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("cannot build a virtual thread builder", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build a virtual thread builder", e);
        }
    }

    /** A factory of virtual threads that run on this scheduler. */
    public ThreadFactory factory() {
        return builder().factory();
    }

    /** An executor that starts a new virtual thread on this scheduler for each task. */
    public ExecutorService newThreadPerTaskExecutor() {
        return Executors.newThreadPerTaskExecutor(factory());
    }

    public int parallelism() {
        return parallelism;
    }

    /** Virtual threads started on this scheduler that have not terminated. */
    public long liveThreads() {
        return live.get();
    }

    /**
     * Accepts no new virtual threads; the carriers stop once every virtual thread started here
     * has terminated. Does not wait.
     */
    @Override
    public void close() {
        closing = true;
        if (live.get() == 0) {
            shutdownCarriers();
        }
    }

    private void shutdownCarriers() {
        if (shutdown.compareAndSet(0, 1)) {
            for (int i = 0; i < parallelism; i++) {
                queue.offer(POISON);
            }
        }
    }

    // ------------------------------------------------------------------ submit

    private void execute(Runnable task) {
        Thread vt = VThreads.threadOf(task);
        if (vt == null) {
            queue.offer(task); // not a virtual thread's task (never happens with the JDK's builder)
            return;
        }
        int s = VThreads.state(vt);
        if (s == STARTED) {
            if (closing) {
                throw new RejectedExecutionException("this TracingScheduler is closed");
            }
            live.incrementAndGet();
        }
        Thread cur = Thread.currentThread();
        Run mine = cur instanceof Carrier c && c.scheduler == this ? c.current : null;
        boolean tracing = Emit.T.enabled() && !Capture.agentActive();
        if (mine != null && mine.vt == vt) {
            // Its own carrier, after it unmounted: a yield, or a park/block whose wake-up came first.
            // Once queued it may run elsewhere before this run returns: close the run first.
            if (!mine.told) {
                if (tracing) {
                    tellEnd(mine, s);
                    if (s != YIELDED) {
                        Emit.unblock(vt, null, null);
                    }
                }
                mine.told = true;
            }
            closeRecord(mine);
            queue.offer(task);
            return;
        }
        // A run of this thread is still open on another carrier (its end not yet told, its stack
        // maybe being walked): wait for it, whether tracing is on now or not.
        if (s != STARTED && openRuns.get() != 0) {
            Run r = running.get(vt);
            if (r != null) {
                awaitClosed(r);
            }
        }
        if (tracing) {
            tellSubmit(vt, s, cur, mine);
        }
        queue.offer(task);
    }

    /** Tells the creation or unblock of {@code vt} by the current thread {@code cur}. */
    private void tellSubmit(Thread vt, int s, Thread cur, Run mine) {
        // On a carrier between the unmount and the end of a run, the event is that thread's
        // (a joiner released by its termination) until its end is told; a carrier outside a run
        // is the scheduler itself.
        Thread by = cur instanceof Carrier ? (mine != null && !mine.told ? mine.vt : null) : cur;
        if (s == STARTED) {
            CapturedStack st = Emit.takesCreationStack() ? EventStacks.current() : null;
            Emit.create(by, vt, EventStacks.entryOf(vt), st);
            return;
        }
        Emit.unblock(vt, by, Emit.stacksAll() ? EventStacks.current() : null);
    }

    private void closeRecord(Run r) {
        if (running.remove(r.vt, r)) {
            openRuns.decrementAndGet();
        }
        close(r);
    }

    /**
     * Waits until the carrier of {@code r} has told how the run ended (its block): a short spin,
     * then a park, woken by the carrier. The carrier is only finishing the run and never waits
     * for anyone, so the wait is short; it is a wait, not a hand-over, so that the unblock is
     * still told by the thread that unblocks.
     */
    private static void awaitClosed(Run r) {
        for (int i = 0; i < SPINS; i++) {
            if (r.closed) {
                return;
            }
            Thread.onSpinWait();
        }
        r.waiter = Thread.currentThread();
        while (!r.closed) {
            LockSupport.park(r);
        }
    }

    private static void close(Run r) {
        r.closed = true;
        Thread w = r.waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    // ------------------------------------------------------------------ carriers

    private void carrierLoop(Carrier c) {
        while (true) {
            Runnable task = queue.poll();
            if (task == null) {
                if (Emit.T.enabled() && !Capture.agentActive()) {
                    Emit.procStop();
                }
                while (task == null) {
                    try {
                        task = queue.take();
                    } catch (InterruptedException e) {
                        // carriers are not interrupted by us; keep serving
                    }
                }
            }
            if (task == POISON) {
                return;
            }
            runTask(c, task);
        }
    }

    private void runTask(Carrier c, Runnable task) {
        Thread vt = VThreads.threadOf(task);
        if (vt == null) {
            task.run();
            return;
        }
        int before = VThreads.state(vt);
        boolean runnable = before == STARTED || before == UNPARKED || before == UNBLOCKED || before == YIELDED;
        // While a run of this thread is open on another carrier (its end not yet told: its stack
        // may be being walked), it must not run here: this is a duplicate task (a thread dump
        // resubmits); run it later.
        if (openRuns.get() != 0 && running.containsKey(vt)) {
            queue.offer(task);
            return;
        }
        Run r = null;
        // A thread dump's suspension makes this run a no-op (the dump resubmits): not a run to tell.
        if (runnable && !VThreads.suspended(vt) && Emit.T.enabled() && !Capture.agentActive()) {
            r = new Run(vt);
            if (running.putIfAbsent(vt, r) != null) {
                queue.offer(task); // a duplicate task raced us to it: run it later
                return;
            }
            openRuns.incrementAndGet();
            c.current = r;
            Emit.start(vt);
        }
        try {
            task.run();
        } finally {
            int after = VThreads.state(vt);
            if (r != null) {
                c.current = null;
                closeRun(r, after);
            }
            if (runnable && after == TERMINATED && live.decrementAndGet() == 0 && closing) {
                shutdownCarriers();
            }
        }
    }

    private void closeRun(Run r, int state) {
        if (!r.told) {
            r.told = true;
            if (Emit.T.enabled()) {
                tellEnd(r, state);
            }
        }
        closeRecord(r);
    }

    /** Tells how the run of {@code r} ended, from the thread's state after it unmounted. */
    private static void tellEnd(Run r, int s) {
        Thread vt = r.vt;
        r.told = true;
        if (s == TERMINATED) {
            Emit.destroy(vt);
        } else if (s == YIELDED || s == YIELDING) {
            Emit.stop(vt, Reasons.YIELD, Emit.stacksAll() ? EventStacks.ofUnmounted(vt) : null);
        } else if (s == PARKED || s == TIMED_PARKED || s == UNPARKED || s == BLOCKED || s == WAIT || s == TIMED_WAIT
                || s == UNBLOCKED) {
            // Without an agent there are no call-site hints: a park without a blocker, or on a
            // condition or latch, and a wake-up that came before we looked (UNBLOCKED), cost a walk
            // of the top frames (sleep, network, join, queue take/put, Object.wait tell themselves).
            Object blocker = LockSupport.getBlocker(vt);
            String waitsIn = Reasons.needsStack(s, null, blocker, false) ? EventStacks.classifyUnmounted(vt) : null;
            String reason = Reasons.block(s, null, blocker, waitsIn, VThreads.timeoutNanos(vt, s));
            Emit.block(vt, reason, !Emit.takesBlockStack() ? null
                    : reason == Reasons.MONITOR ? EventStacks.ofUnmountedMonitorEnter(vt) : EventStacks.ofUnmounted(vt));
        } // else: not unmounted by this run (a task that found the thread not runnable)
    }

    /** One traced run of a virtual thread on a carrier. */
    private static final class Run {
        final Thread vt;
        /** Written only by the run's carrier. */
        boolean told;
        /** Its end is told: the thread may be unblocked. */
        volatile boolean closed;
        /** A thread waiting to unblock it. */
        volatile Thread waiter;

        Run(Thread vt) {
            this.vt = vt;
        }
    }

    private static final class Carrier extends Thread {
        final TracingScheduler scheduler;
        /** The open traced run; written and read only by this carrier. */
        Run current;

        Carrier(TracingScheduler scheduler, String name) {
            super(null, null, name, 0, false);
            this.scheduler = scheduler;
            setDaemon(true);
        }

        @Override
        public void run() {
            scheduler.carrierLoop(this);
        }
    }
}
