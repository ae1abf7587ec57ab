package dev.loomtracer.engine;

import dev.loomtracer.format.Status;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The tracer's view of one goroutine: a Java thread (virtual, or platform when it emits events).
 *
 * <p>Invariant: {@code status} is the G's state as the trace has told it so far (a Go status
 * code); it changes only together with the event that tells the change, on the thread that
 * writes that event, and that thread is the only one changing it: while the G is on an M
 * (running, or in a syscall) that M's thread; otherwise the writer that holds the G's claim
 * ({@link #claim}). Two writers told of one G's transition at once (a capture layer can do that:
 * a thread dump leaves a second run task for a thread) cannot both write: the claim is a CAS,
 * and whoever loses it drops its event. The claim also keeps a G's story in generation order:
 * {@code toldGen}, the last generation that told the G, only grows, and a writer still in an
 * older generation may not tell the G after it. {@code id} is the thread's {@code threadId()}.
 */
final class GState extends SchedResource {
    private static final VarHandle CLAIM;
    private static final VarHandle TOLD;
    private static final VarHandle STATUS;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            CLAIM = l.findVarHandle(GState.class, "claim", int.class);
            TOLD = l.findVarHandle(GState.class, "toldGen", long.class);
            STATUS = l.findVarHandle(GState.class, "status", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Thread thread;
    final long id;
    /**
     * Read racily by the advancer's status sweep; the status CAS makes a stale read harmless.
     * Written with release stores ({@link #tell}): only one thread writes it at a time, and
     * what readers need is the writes before it, not a total order.
     */
    volatile int status;
    /**
     * The generation that introduced the G into the trace (its status in the session's first
     * generation, or its creation after it), 0 until then. Written once, by the claim holder.
     * The advancer asks {@link #knownIn} of the generation it ends, not {@link #known}: a G the
     * next generation introduced while the advancer was still ending this one does not exist
     * in this one, and a status for it there is one Go's parser rejects.
     */
    long knownSince;
    /**
     * The generation in which, and the name under which, the G was last labelled (GoLabel).
     * Written only by the M the G runs on, right after its start.
     */
    long labelGen;
    String label;
    /** 1 while a writer holds the G's claim. Through {@link #CLAIM}. */
    @SuppressWarnings("unused")
    private volatile int claim;
    /**
     * The last generation whose events told the G. Through {@link #TOLD} with opaque accesses:
     * written before the release store of {@code status} (or under the claim), read after a
     * volatile load of it, so that order is what publishes it.
     */
    @SuppressWarnings("unused")
    private long toldGen;

    GState(Thread thread, int status) {
        this.thread = thread;
        this.id = thread.threadId();
        this.status = status;
    }

    /**
     * A G claimed from birth by the writer that creates it in {@code gen}: nobody can tell it
     * before its creation is written. The creator must {@link #release} it.
     */
    GState(Thread thread, int status, long gen) {
        this(thread, status);
        this.toldGen = gen;
        this.claim = 1;
    }

    /** Whether any generation of this session has introduced the G. */
    boolean known() {
        return knownSince != 0;
    }

    /** Whether the G exists in generation {@code gen} of the trace: introduced in it or before. */
    boolean knownIn(long gen) {
        long k = knownSince;
        return k != 0 && k <= gen;
    }

    /** Records that {@code gen} introduces the G; by the claim holder, before the introducing event. */
    void setKnownSince(long gen) {
        knownSince = gen;
    }

    boolean isOnM() {
        return isOnM(status);
    }

    static boolean isOnM(int s) {
        return s == Status.GO_RUNNING || s == Status.GO_SYSCALL;
    }

    /**
     * Claims the right to tell a transition of this G in {@code gen}, for a writer on whose M the
     * G is not. Returns -1 if it cannot (another writer holds the claim, or a later generation
     * has already told the G): the caller drops its event. Otherwise returns the G's status,
     * which stays put until {@link #release}, unless it is an on-M status ({@link #isOnM(int)}):
     * then that M tells the G and the caller must write nothing about it. Every non-negative
     * return must be followed by {@link #release}. One CAS, no allocation, never waits.
     */
    int claim(long gen) {
        if (!CLAIM.compareAndSet(this, 0, 1)) {
            return -1;
        }
        int s = status;
        if (isOnM(s)) {
            return s; // its M tells it (and moves toldGen): do not touch toldGen
        }
        if ((long) TOLD.getOpaque(this) > gen) {
            CLAIM.setRelease(this, 0);
            return -1;
        }
        TOLD.setOpaque(this, gen);
        return s;
    }

    void release() {
        CLAIM.setRelease(this, 0);
    }

    /**
     * Records a transition told in {@code gen}: by the claim holder, or by the M the G is on.
     * The release store of the status publishes the generation (and the G's other fields) with
     * it; it needs no fence of its own.
     */
    void tell(int newStatus, long gen) {
        TOLD.setOpaque(this, gen);
        STATUS.setRelease(this, newStatus);
    }
}
