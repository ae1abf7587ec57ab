package dev.loomtracer.engine;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import jdk.internal.misc.CarrierThreadLocal;
import jdk.internal.vm.Continuation;

import java.lang.invoke.VarHandle;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The tracer's global state (Go's {@code trace} struct): on/off, the generation, the trace
 * lock, the buffers, the reader's position. {@link #GLOBAL} is the instance the capture layer
 * and the public API use; tests may build their own.
 *
 * <p>Invariant (Go CL 565935): {@code enabled} is a plain flag, the fast path of every hook (tracing
 * off costs one volatile load); {@code gen} is the truth. {@code enabled} becomes true strictly
 * before {@code gen} becomes non-zero, and may stay stale-true after stop, because
 * {@link #acquire()} re-checks {@code gen}. The flag is a volatile field, so the JIT cannot hoist
 * it out of a loop and miss a start forever; on x86 a volatile read is the plain load Go's is.
 */
public final class Tracer {
    public static final Tracer GLOBAL = new Tracer();

    /**
     * Why a volatile field and not an opaque read through a VarHandle (what this was until issue
     * 16): a VarHandle call is only as cheap as a field when the JIT inlines it into the caller.
     * In one of ten runs of the example server it did not, in {@code Region.close}, and each call
     * then went through the VarHandle's generic invoker: 4 % of the server's CPU, with tracing on
     * or off (docs/PERFORMANCE.md, "Where a traced server's CPU goes"). A field read needs no
     * inlining to be one load.
     */
    private volatile boolean enabled;
    private volatile long gen;
    volatile TraceSession session;

    final TraceLock lock = new TraceLock();
    final ReaderSlot readerSlot;
    // Guarded by lock:
    BufferPool pool = new BufferPool(64L << 20);
    boolean headerWritten;
    long readerGen;
    TraceBuf reading;
    /** Set under the lock together with gen = 0 (Go's trace.shutdown). */
    volatile boolean shutdown;
    /** The newest generation whose batches are all queued; the reader may take it. */
    volatile long flushedGen;
    /** Set when the session's final generation is queued: after it, the reader reaches the end. */
    volatile boolean finished;

    /** Null only when the JVM lacks the options the tracer needs: then {@link #start} refuses (JdkAccess). */
    private final CarrierThreadLocal<MState> mstates = carrierLocals();
    private final ReentrantLock control = new ReentrantLock();
    final ReentrantLock advanceLock = new ReentrantLock();
    private volatile Thread advancer;
    private volatile CountDownLatch readerDone;
    final TraceReader reader = new TraceReader(this);

    Tracer() {
        this(new ReaderSlot());
    }

    /** For the stress tests: a tracer whose reader parks through the given slot. */
    Tracer(ReaderSlot readerSlot) {
        this.readerSlot = readerSlot;
    }

    /**
     * The per-carrier Ms, or null if jdk.internal.misc is not exported to the tracer: then creating
     * {@link #GLOBAL} still succeeds (the annotations, with tracing off, and {@link #start}'s clear
     * refusal need it) instead of every use of this class failing with an IllegalAccessError.
     */
    private static CarrierThreadLocal<MState> carrierLocals() {
        try {
            return new CarrierThreadLocal<>();
        } catch (IllegalAccessError e) {
            return null;
        }
    }

    /** A tracer of its own, for tests that must not share the global one. */
    public static Tracer newInstance() {
        return new Tracer();
    }

    // ---------------------------------------------------------------- the fast path

    /** True if tracing may be on: one volatile load (a plain load on x86). */
    public boolean enabled() {
        return enabled;
    }

    /**
     * Enters a write on this carrier (or platform thread) for the current generation; null when
     * tracing is off or this M is already writing (a hook that re-entered the tracer). Every
     * non-null result must be passed to {@link #release}.
     */
    public TraceWriter acquire() {
        if (!enabled) {
            return null;
        }
        return acquireSlow();
    }

    private TraceWriter acquireSlow() {
        TraceSession s = session;
        if (s == null) {
            return null;
        }
        // A virtual thread is pinned for the whole write: the write path may meet a contended
        // monitor (inside ConcurrentHashMap, say), and since JDK 24 that unmounts a virtual
        // thread, which would leave this carrier's M mid-write under another virtual thread. A
        // carrier (or platform) thread runs no continuation, cannot unmount, and is not pinned:
        // there pin() and unpin() would be calls into the JVM (its slow path), ~2 per event.
        boolean virtual = Thread.currentThread().isVirtual();
        if (virtual) {
            Continuation.pin();
        }
        MState m = mstates.get();
        if (m == null || m.session != s) {
            m = s.newM(CarrierThreads.current()); // the carrier, even when a virtual thread writes first
            mstates.set(m);
        }
        if (m.isWriting()) {
            if (virtual) {
                Continuation.unpin();
            }
            s.nestedEvents.increment();
            return null;
        }
        m.beginWrite();
        long g = gen;
        if (g == 0 || session != s) {
            m.endWrite();
            if (session != s) {
                m.detach(); // made for a session that stop() has already let go of: hold nothing of it
            }
            if (virtual) {
                Continuation.unpin();
            }
            return null;
        }
        m.gen = g;
        m.pinnedWrite = virtual;
        return m.writer;
    }

    public void release(TraceWriter w) {
        MState m = w.m();
        boolean pinned = m.pinnedWrite;
        m.endWrite();
        if (pinned) {
            Continuation.unpin();
        }
    }

    /**
     * One write on this thread's M: {@code body} runs between {@link #acquire} and {@link #release}
     * (not at all when tracing is off or this M is already writing); returns whether it ran. For
     * tools, benchmarks and tests: a lambda that captures allocates, so the capture layer's hooks
     * bracket their writes themselves (carrier-hooks' {@code Emit}).
     */
    public boolean emit(Consumer<TraceWriter> body) {
        TraceWriter w = acquire();
        if (w == null) {
            return false;
        }
        try {
            body.accept(w);
        } finally {
            release(w);
        }
        return true;
    }

    /**
     * True if a thread parked with this blocker ({@code LockSupport.getBlocker}) waits inside the
     * tracer (for the trace lock, pinned, mid-write): a capture layer must not tell it as the
     * program's block.
     */
    public static boolean isTracerWait(Object blocker) {
        return blocker instanceof TraceLock;
    }

    /**
     * For work that must never run under the trace lock (Go CL 496296: a trace sink's I/O, reading
     * JFR data to import): in the tests' checking mode ({@code -Dloomtracer.checkTraceLock=true})
     * records a violation if the current carrier holds a trace lock; otherwise does nothing.
     */
    public static void checkOutsideTraceLock(String work) {
        if (TraceLockCheck.ON) {
            TraceLockCheck.outside(work);
        }
    }

    /** The stack mode of the running trace, or OFF. */
    public TraceOptions.Stacks stackMode() {
        TraceSession s = session;
        return s == null ? TraceOptions.Stacks.OFF : s.config.stacks();
    }

    /** Whether the block about to be written gets a stack ({@link TraceOptions.Stacks#takesBlockStack}); false when off. */
    public boolean takesBlockStack() {
        TraceSession s = session;
        return s != null && StackSampling.takes(s.blockStackOneIn);
    }

    /** Whether the creation or annotation about to be written gets a stack ({@link StackSampling#sideOneIn}); false when off. */
    public boolean takesCreateOrAnnotateStack() {
        TraceSession s = session;
        return s != null && StackSampling.takes(s.sideStackOneIn);
    }

    /** The current generation, 0 when off. For tests and diagnostics. */
    public long generation() {
        return gen;
    }

    // ---------------------------------------------------------------- buffers

    /** An empty buffer for a writer: from the pool, else newly allocated within the limit, else null. */
    TraceBuf takeBuffer() {
        lock.lock();
        TraceBuf b = pool.takeEmpty();
        lock.unlock();
        return b != null ? b : pool.tryAllocate();
    }

    /** Queues a writer's full buffer and hands it an empty one (or null: out of memory). */
    TraceBuf flushAndTake(TraceBuf full) {
        full.finish();
        lock.lock();
        pool.enqueueFull(full);
        TraceBuf b = pool.takeEmpty();
        lock.unlock();
        TraceSession s = session;
        if (s != null) {
            s.addFlushedBytes(full.gen, full.batchLength());
        }
        return b != null ? b : pool.tryAllocate();
    }

    // ---------------------------------------------------------------- start and stop

    /**
     * Starts a trace. The caller then reads it with {@link #readTrace()} (the public API's
     * stream and flight-recorder modes do it for the user) and must keep reading until the end, as with Go's ReadTrace.
     *
     * @throws IllegalStateException if a trace is already running, or the JVM lacks the
     *     options the tracer needs
     */
    public void start(TraceOptions config) {
        JdkAccess.check();
        if (this == GLOBAL) {
            AgentCopy.warnIfNotTheHooksTracer();
        }
        control.lock();
        try {
            if (session != null) {
                String ended = session.endReason;
                throw new IllegalStateException(ended == null ? "tracing is already running; stop it before starting another trace"
                        : "the previous trace ended by itself (" + ended + "); stop it to collect its result before starting another");
            }
            lock.lock();
            pool = new BufferPool(config.bufferMemory());
            headerWritten = false;
            reading = null;
            flushedGen = 0;
            shutdown = false;
            finished = false;
            lock.unlock();
            TraceSession s = new TraceSession(this, config); // after the pool: its tables charge it
            lock.lock();
            readerGen = s.firstGen;
            lock.unlock();
            readerDone = new CountDownLatch(1);
            publishStart(s);
            Thread a = Thread.ofPlatform().daemon().name("loomtrace-advancer").unstarted(() -> advanceLoop(s));
            advancer = a;
            a.start();
        } finally {
            control.unlock();
        }
    }

    /** True from start until stop, or until the trace ended by itself (its buffer memory ran out). */
    public boolean isRunning() {
        TraceSession s = session;
        return s != null && s.endReason == null;
    }

    /**
     * Stops the trace: ends the current generation, waits until the reader has taken every
     * byte, then frees the buffers. A no-op when no trace runs. Returns the session's counts
     * ({@code bytes}: what the reader took), or null if nothing was running.
     */
    public TraceResult stop() {
        return stop(0);
    }

    /**
     * {@link #stop()}, if the trace is still the one numbered {@code number}
     * ({@link #sessionNumber()}; 0: whichever runs); null otherwise, leaving a later trace alone.
     */
    public TraceResult stop(long number) {
        control.lock();
        boolean interrupted = false;
        try {
            TraceSession s = session;
            if (s == null || (number != 0 && s.number != number)) {
                return null;
            }
            Thread a = advancer;
            advancer = null;
            if (a != null) {
                LockSupport.unpark(a);
                interrupted |= joinUninterruptibly(a);
            }
            Advancer.advance(this, true);
            // Like Go's StopTrace, wait for the reader to take everything: a half-stopped trace
            // would leave the next start racing with this session's last generation.
            interrupted |= awaitUninterruptibly(readerDone);
            TraceResult stats = s.result(flushedGen);
            lock.lock();
            session = null;
            pool.dropEmpty(); // the pool's buffers would wait for the next start (maybe never)
            lock.unlock();
            // The session is over and no write can start in it: a thread that wrote keeps its M
            // until its next event, which must not keep the session alive.
            for (MState m : s.ms) {
                m.detach();
            }
            return stats;
        } finally {
            control.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static boolean joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        for (;;) {
            try {
                t.join();
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
    }

    private static boolean awaitUninterruptibly(CountDownLatch l) {
        boolean interrupted = false;
        for (;;) {
            try {
                l.await();
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
    }

    /** The number of the trace started last and not yet stopped (never 0, never reused in a JVM); 0 if none. */
    public long sessionNumber() {
        TraceSession s = session;
        return s == null ? 0 : s.number;
    }

    /** Counters of the running trace, or null. */
    public TraceResult stats() {
        TraceSession s = session;
        return s == null ? null : s.result(flushedGen);
    }

    /** Ends the current generation now (the flight recorder's snapshot uses this). */
    public void advanceNow() {
        Advancer.advance(this, false);
    }

    /**
     * Publishes a started session (Go CL 565935): enabled strictly before gen != 0; the volatile
     * store of gen publishes both. Separate so that the stress tests can run it alone.
     */
    void publishStart(TraceSession s) {
        session = s;
        setEnabled();
        VarHandle.fullFence();
        gen = s.firstGen;
    }

    void setGen(long g) {
        gen = g;
    }

    void setEnabled() {
        enabled = true;
    }

    void clearEnabled() {
        enabled = false;
    }

    void signalReaderDone() {
        CountDownLatch l = readerDone;
        if (l != null) {
            l.countDown();
        }
    }

    void wakeAdvancer() {
        Thread a = advancer;
        if (a != null) {
            LockSupport.unpark(a);
        }
    }

    private void advanceLoop(TraceSession s) {
        long periodNanos = s.config.generationPeriod().toNanos();
        long deadline = System.nanoTime() + periodNanos;
        while (advancer == Thread.currentThread()) {
            long now = System.nanoTime();
            boolean bySize = s.dueBySize((int) (gen & 1));
            boolean byLoss = s.lossGen.get() != 0;
            if (now - deadline >= 0 || bySize || byLoss) {
                Advancer.advance(this, false);
                deadline = System.nanoTime() + periodNanos;
                if (session != s || finished) {
                    return; // a loss ended the trace
                }
                continue;
            }
            LockSupport.parkNanos(this, deadline - now);
        }
    }

    // ---------------------------------------------------------------- reading

    /**
     * Blocks until the next chunk of the trace is available and returns it; null at the end of
     * the trace. The chunk stays valid until the next call. One reader at a time: a concurrent
     * call throws {@link IllegalStateException} and tracing goes on.
     */
    public java.nio.ByteBuffer readTrace() throws InterruptedException {
        return reader.readBytes();
    }

    /** Like {@link #readTrace()} but tells generation boundaries (for the flight recorder). */
    TraceReader.Chunk readChunk() throws InterruptedException {
        return reader.readChunk();
    }
}
