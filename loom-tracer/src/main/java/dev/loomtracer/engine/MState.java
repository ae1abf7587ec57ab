package dev.loomtracer.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The tracer's per-M state: one per carrier thread, and one per platform thread that emits events.
 *
 * <p>Invariant: only the M's own thread writes its buffers and its scheduling state, always
 * between {@link #beginWrite()} and {@link #endWrite()}; {@code seqlock} is odd exactly while it
 * does. The advancer reads an M's buffers for generation g only after it has published g+1 and
 * seen {@code seqlock} even, so every event a writer started in g is whole in g's buffer by then.
 * A virtual thread that writes here is pinned to this carrier from acquire to release, so it
 * cannot unmount in between even if the write path meets a contended monitor; the write path
 * never parks on its own and never does I/O. Once its session is over, {@link #detach} lets go
 * of it: the M stays in its thread's carrier-local until that thread's next event, maybe forever.
 */
final class MState {
    private static final VarHandle SEQLOCK;
    private static final VarHandle CUR_G;
    static {
        try {
            SEQLOCK = MethodHandles.lookup().findVarHandle(MState.class, "seqlock", long.class);
            CUR_G = MethodHandles.lookup().findVarHandle(MState.class, "curG", GState.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Thread thread;
    final long mid;
    /** Null once the session is over ({@link #detach}); read only inside a write or by acquire's check. */
    TraceSession session;
    final ProcState proc;
    /**
     * The G running (or in a syscall) on this M, as the trace has told it; null if none. Read
     * plainly by the M's own writes; set ({@link #setCurG}) by them with a release store, not a
     * volatile one (a fence per start and stop saved): the only other reader is the advancer's
     * racy snapshot ({@link #curGRacy}), which the status CAS makes harmless, and the advancer
     * sets it only at stop, when no writer can write.
     */
    GState curG;
    /** This M's buffers, indexed by generation parity. */
    final TraceBuf[] bufs = new TraceBuf[2];
    /** The names this M gave fresh string ids, by generation parity, until the advancer dumps them. */
    final FreshStrings[] freshNames = {new FreshStrings(), new FreshStrings()};
    /** The generation the current write is in; valid only while writing. */
    long gen;
    /** Whether the current write pinned a virtual thread (to unpin at release); valid only while writing. */
    boolean pinnedWrite;
    /** The generation in which, and the name under which, this M was last named as a carrier; only its thread writes them. */
    long namedGen;
    String namedAs;
    @SuppressWarnings("unused") // through SEQLOCK
    private volatile long seqlock;
    final TraceWriter writer;

    MState(Thread thread, TraceSession session, long pid, int procStatus) {
        this.thread = thread;
        this.mid = thread.threadId();
        this.session = session;
        this.proc = new ProcState(pid, procStatus);
        this.writer = new TraceWriter(this);
    }

    /**
     * Forgets the session, which is over: no write can start in it any more (its generation is
     * 0 and every write in progress has ended), but the M stays in its thread's carrier-local
     * until that thread's next event, and must not keep the session's tables, goroutines and
     * PCs, nor its last buffer and the strings and stacks its writer remembers, alive meanwhile.
     * Idempotent: stop and the M's own thread may both call it.
     */
    void detach() {
        session = null;
        curG = null;
        bufs[0] = null;
        bufs[1] = null;
        freshNames[0].clear();
        freshNames[1].clear();
        writer.forget();
    }

    void setCurG(GState g) {
        CUR_G.setRelease(this, g);
    }

    /** For the advancer, while this M may be writing. */
    GState curGRacy() {
        return (GState) CUR_G.getAcquire(this);
    }

    /** True while this M is inside a write (also detects a hook re-entering the tracer). */
    boolean isWriting() {
        return ((long) SEQLOCK.getOpaque(this) & 1) != 0;
    }

    /**
     * Enters a write. The volatile increment orders it before the caller's read of the
     * generation, which is what lets the advancer wait for writers of the old generation.
     */
    void beginWrite() {
        SEQLOCK.getAndAdd(this, 1L);
    }

    /** Leaves a write; the release store publishes the buffer contents to the advancer. */
    void endWrite() {
        SEQLOCK.setRelease(this, (long) SEQLOCK.getOpaque(this) + 1);
    }

    /** For the advancer: the counter itself; odd while a write is in progress. */
    long seqlockValue() {
        return (long) SEQLOCK.getAcquire(this);
    }

    /** For the advancer: true while a write is in progress. */
    boolean writeInProgress() {
        return ((long) SEQLOCK.getAcquire(this) & 1) != 0;
    }
}
