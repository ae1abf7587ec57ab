package dev.loomtracer.engine;

import dev.loomtracer.format.EventType;
import dev.loomtracer.format.Status;
import dev.loomtracer.format.ThreadIdentity;

/**
 * traceevent: encodes events into its M's buffer for the generation the M acquired.
 *
 * <p>Invariants, per generation: an M's first event is preceded by its P's status and its
 * running G's status; a G is introduced before any event names it (a status event in the
 * session's first generation, a creation in later ones, because Go's parser rejects a status
 * for a G it has never seen after the first generation); every G and P gets at most one status
 * per generation (the status CAS). A G's status and per-G sequence number change only on the
 * M the G is on, or under the G's claim ({@link GState#claim}, one CAS, taken before the G's
 * status event, sequence number or transition is written): of two writers told of one G's
 * transition at once, exactly one writes and the other drops its event, and a writer still in
 * an older generation never tells a G after a newer generation did. Every write keeps the
 * trace valid: when the capture layer misses a transition the writer repairs it with the least
 * events that make the story consistent, and when it cannot, it drops the event and counts it.
 * Who is who (docs/FORMAT.md, "Names and platform threads"): a G's name is told by a GoLabel
 * after a start of it, once per generation and again when it changed; a carrier's name by a
 * {@link ThreadIdentity#CARRIER_LOG} log after the first start on it in a generation; a platform
 * thread emitting events is a G in a syscall on its own M, which holds no P except around the
 * events that need one (a creation, an annotation, its label).
 * Nothing here allocates except the first sight of a G or of a string/stack in a generation,
 * and the clock is read once per operation. Operations never throw, block or wait.
 */
public final class TraceWriter {
    /** Room an operation needs: a handful of events of at most ~50 bytes each. */
    private static final int OP_RESERVE = 1024;
    /** Reason of the stop that ends a G's instant on an M the capture layer never told us of. */
    static final String UNOBSERVED = dev.loomtracer.format.TraceStrings.UNOBSERVED_SWITCH;

    private final MState m;
    private TraceBuf b;
    private long ts;
    private long gen;
    /** The ids this M's strings and stacks got in its current generation (most of them recur: reasons, region names). */
    private final IdCache ids = new IdCache();
    /** Set by {@link #enterCurrent} when the G must be stopped again after the event. */
    private boolean bracketed;
    /** Set by {@link #enterPlatform} when a platform thread's G must go back into its syscall after the event. */
    private boolean platformRun;
    /** Set by {@link #enterCurrent} for a null G: true if the event cannot be told on this M (drop it). */
    private boolean refused;

    TraceWriter(MState m) {
        this.m = m;
    }

    MState m() {
        return m;
    }

    /** Drops what the writer remembers of its session (its last buffer, its strings and stacks): {@link MState#detach}. */
    void forget() {
        b = null;
        ids.clear();
    }

    /**
     * The trace this writer writes into, as a number unique in the JVM (never 0). A capture layer
     * that tells the two halves of an episode (a pinned block's begin and end) in two writes
     * compares it, so that it never tells an end to a trace that did not see the begin.
     */
    public long session() {
        return m.session.number;
    }

    // ---------------------------------------------------------------- capture-layer operations

    /** {@code creator} (running here) created {@code child}; it starts runnable, or blocked. */
    public void goCreate(Thread creator, Thread child, boolean blocked, CapturedStack childStack, CapturedStack stack) {
        if (!begin()) {
            return;
        }
        GState g = enterCurrent(creator, true);
        if (g == null && (creator != null || refused)) {
            return;
        }
        // Claimed from birth: no other writer can tell the child before its creation is written.
        GState c = new GState(child, blocked ? Status.GO_WAITING : Status.GO_RUNNABLE, gen);
        if (m.session.gs.putIfAbsent(child, c) != null) {
            m.session.inconsistentEvents.increment(); // created twice
        } else {
            try {
                ensureProc();
                c.setKnownSince(gen);
                c.setStatusTraced(gen);
                b.event(blocked ? EventType.GO_CREATE_BLOCKED : EventType.GO_CREATE, ts);
                b.varint(c.id);
                b.varint(stackId(childStack));
                b.varint(stackId(stack));
            } finally {
                c.release();
            }
        }
        exitCurrent(g);
    }

    /** {@code vt} starts running on this M (mount). */
    public void goStart(Thread vt) {
        if (!begin()) {
            return;
        }
        GState cur = m.curG;
        if (cur != null) {
            if (cur.thread == vt) {
                return; // already running here
            }
            if (cur.status != Status.GO_RUNNING) {
                m.session.inconsistentEvents.increment();
                return;
            }
            stopCurrent(cur, EventType.GO_STOP, UNOBSERVED, null, Status.GO_RUNNABLE);
        }
        startOnM(lookup(vt, Status.GO_RUNNABLE));
    }

    /** {@code vt}, running on this M, blocks (parks, waits, sleeps) for {@code reason}. */
    public void goBlock(Thread vt, String reason, CapturedStack stack) {
        stopOnM(vt, EventType.GO_BLOCK, reason, stack, Status.GO_WAITING);
    }

    /** {@code vt}, running on this M, yields and stays runnable. */
    public void goStop(Thread vt, String reason, CapturedStack stack) {
        stopOnM(vt, EventType.GO_STOP, reason, stack, Status.GO_RUNNABLE);
    }

    /** {@code vt}, running on this M, terminates. */
    public void goDestroy(Thread vt) {
        if (!begin()) {
            return;
        }
        if (m.curG == null) {
            // Not running here as far as the trace knows. Its thread has terminated, so the
            // advancer's reaper may be ending this G right now (in the generation before this
            // one): exactly one of the two ends it, whichever removes it from the session first.
            GState known = m.session.gs.get(vt);
            if (known != null) {
                if (!m.session.gs.remove(vt, known)) {
                    m.session.inconsistentEvents.increment(); // the reaper ended it
                    return;
                }
                if (!startOnM(known)) {
                    m.session.gs.putIfAbsent(vt, known); // running elsewhere: leave it as it was
                    return;
                }
                b.event(EventType.GO_DESTROY, ts);
                known.tell(Status.GO_BAD, gen);
                m.setCurG(null);
                return;
            }
        }
        GState g = ensureOnM(vt);
        if (g == null) {
            return;
        }
        b.event(EventType.GO_DESTROY, ts);
        g.tell(Status.GO_BAD, gen);
        m.setCurG(null);
        m.session.gs.remove(vt, g);
    }

    /**
     * {@code target} is made runnable by {@code unblocker}, which runs on this M; a null
     * unblocker means the scheduler itself, on whatever this M is running.
     */
    public void goUnblock(Thread target, Thread unblocker, CapturedStack stack) {
        if (!begin()) {
            return;
        }
        GState t = lookup(target, Status.GO_WAITING);
        // An unblock needs no running G, but a target first met after the first generation is
        // introduced by a creation, which does (a platform unblocker then borrows its P). A stale
        // "not known" only costs an unneeded bracket: known never goes back to false.
        GState u = enterCurrent(unblocker, !t.known() && gen != m.session.firstGen);
        if (u == null && (unblocker != null || refused)) {
            return;
        }
        int s = t.claim(gen);
        if (s < 0) {
            m.session.inconsistentEvents.increment(); // another writer is telling it, or a later generation told it
        } else {
            try {
                introduce(t, s);
                if (s == Status.GO_WAITING) {
                    unblock(t, stack);
                } else {
                    m.session.inconsistentEvents.increment(); // not blocked as far as the trace knows
                }
            } finally {
                t.release();
            }
        }
        exitCurrent(u);
    }

    /** {@code vt}, running on this M, blocks while pinned: it keeps its carrier (a Go syscall). */
    public void syscallBegin(Thread vt, CapturedStack stack) {
        if (!begin()) {
            return;
        }
        GState g = ensureOnM(vt);
        if (g == null) {
            return;
        }
        ProcState p = m.proc;
        b.event(EventType.GO_SYSCALL_BEGIN, ts);
        b.varint(p.nextSeq(gen));
        b.varint(stackId(stack));
        g.tell(Status.GO_SYSCALL, gen);
        p.status = Status.PROC_SYSCALL;
    }

    /** {@code vt}'s pinned block on this M ended; it runs on. */
    public void syscallEnd(Thread vt) {
        if (!begin()) {
            return;
        }
        GState g = m.curG;
        if (g == null || g.thread != vt || g.status != Status.GO_SYSCALL) {
            m.session.inconsistentEvents.increment();
            return;
        }
        b.event(EventType.GO_SYSCALL_END, ts);
        g.tell(Status.GO_RUNNING, gen);
        m.proc.status = Status.PROC_RUNNING;
    }

    /** This M's carrier starts running the scheduler (its P leaves idle). */
    public void procStart() {
        if (begin()) {
            ensureProc();
        }
    }

    /** This M's carrier goes idle: no virtual thread to run. */
    public void procStop() {
        if (!begin()) {
            return;
        }
        ProcState p = m.proc;
        if (p.status != Status.PROC_RUNNING) {
            return;
        }
        GState cur = m.curG;
        if (cur != null) {
            if (cur.status != Status.GO_RUNNING) {
                m.session.inconsistentEvents.increment();
                return;
            }
            stopCurrent(cur, EventType.GO_STOP, UNOBSERVED, null, Status.GO_RUNNABLE);
        }
        b.event(EventType.PROC_STOP, ts);
        p.status = Status.PROC_IDLE;
    }

    // ---------------------------------------------------------------- user annotations

    /** Begins task {@code id} (child of {@code parent}, 0 for none) named {@code name}. */
    public void userTaskBegin(Thread current, long id, long parent, String name, CapturedStack stack) {
        if (!begin()) {
            return;
        }
        GState g = enterCurrent(current, true);
        if (g == null) {
            return;
        }
        b.event(EventType.USER_TASK_BEGIN, ts);
        b.varint(id);
        b.varint(parent);
        b.varint(stringId(name));
        b.varint(stackId(stack));
        exitCurrent(g);
    }

    public void userTaskEnd(Thread current, long id, CapturedStack stack) {
        if (!begin()) {
            return;
        }
        GState g = enterCurrent(current, true);
        if (g == null) {
            return;
        }
        b.event(EventType.USER_TASK_END, ts);
        b.varint(id);
        b.varint(stackId(stack));
        exitCurrent(g);
    }

    /** Begins ({@code begin}) or ends a region named {@code name} in task {@code task}. */
    public void userRegion(Thread current, boolean begin, long task, String name, CapturedStack stack) {
        if (!begin()) {
            return;
        }
        GState g = enterCurrent(current, true);
        if (g == null) {
            return;
        }
        b.event(begin ? EventType.USER_REGION_BEGIN : EventType.USER_REGION_END, ts);
        b.varint(task);
        b.varint(stringId(name));
        b.varint(stackId(stack));
        exitCurrent(g);
    }

    public void userLog(Thread current, long task, String key, String value, CapturedStack stack) {
        if (!begin()) {
            return;
        }
        GState g = enterCurrent(current, true);
        if (g == null) {
            return;
        }
        writeLog(task, key, value, stack);
        exitCurrent(g);
    }

    /** A log on the G running on this M (e.g. why the next syscall-style block pins). */
    public void logOnCurrent(Thread vt, String key, String value) {
        if (!begin()) {
            return;
        }
        GState g = ensureOnM(vt);
        if (g != null) {
            writeLog(0, key, value, null);
        }
    }

    // ---------------------------------------------------------------- the state machine

    /**
     * Prepares the buffer for one operation: reads the clock once, and on the M's first event
     * of the generation writes its P's and running G's statuses.
     */
    private boolean begin() {
        gen = m.gen;
        bracketed = false;
        platformRun = false;
        int i = (int) (gen & 1);
        TraceBuf buf = m.bufs[i];
        ts = TraceClock.now();
        if (buf == null) {
            buf = m.session.tracer.takeBuffer();
            if (buf == null) {
                m.session.recordLoss(gen);
                return false;
            }
            buf.reset(gen, m.mid, ts);
            m.bufs[i] = buf;
            b = buf;
            writeMStatuses();
        } else if (buf.remaining() < OP_RESERVE) {
            buf = m.session.tracer.flushAndTake(buf);
            m.bufs[i] = buf;
            if (buf == null) {
                m.session.recordLoss(gen);
                return false;
            }
            buf.reset(gen, m.mid, ts);
            b = buf;
        } else {
            b = buf;
        }
        return true;
    }

    private void writeMStatuses() {
        ProcState p = m.proc;
        if (p.status != ProcState.UNTOLD && p.acquireStatus(gen)) {
            b.event(EventType.PROC_STATUS, ts);
            b.varint(p.id);
            b.varint(p.status);
        }
        GState cur = m.curG;
        if (cur != null && cur.acquireStatus(gen)) {
            writeGoStatus(cur, m.mid, cur.status); // on this M: only this thread changes it
        }
    }

    private void writeGoStatus(GState g, long mid, int status) {
        b.event(EventType.GO_STATUS, ts);
        b.varint(g.id);
        b.varint(mid);
        b.varint(status);
    }

    /** Leaves the P running, starting it if it was idle (and bringing it into the trace, idle, if it was not there). */
    private void ensureProc() {
        ProcState p = m.proc;
        if (p.status == ProcState.UNTOLD) {
            p.status = Status.PROC_IDLE;
            if (p.acquireStatus(gen)) {
                b.event(EventType.PROC_STATUS, ts);
                b.varint(p.id);
                b.varint(Status.PROC_IDLE);
            }
        }
        if (p.status == Status.PROC_IDLE) {
            b.event(EventType.PROC_START, ts);
            b.varint(p.id);
            b.varint(p.nextSeq(gen));
            p.status = Status.PROC_RUNNING;
        }
    }

    private GState lookup(Thread t, int statusIfNew) {
        GState g = m.session.gs.get(t);
        if (g == null) {
            GState fresh = new GState(t, statusIfNew);
            g = m.session.gs.putIfAbsent(t, fresh);
            if (g == null) {
                g = fresh;
            }
        }
        return g;
    }

    /**
     * Makes sure {@code g}, whose claim this writer holds and whose status is {@code s}, has
     * been told in this generation.
     */
    private void introduce(GState g, int s) {
        if (!g.known()) {
            g.setKnownSince(gen);
            if (gen == m.session.firstGen) {
                if (g.acquireStatus(gen)) {
                    writeGoStatus(g, EventType.NO_THREAD, s);
                }
            } else {
                ensureProc();
                b.event(s == Status.GO_WAITING ? EventType.GO_CREATE_BLOCKED : EventType.GO_CREATE, ts);
                b.varint(g.id);
                b.varint(0);
                b.varint(0);
                g.setStatusTraced(gen);
            }
            return;
        }
        // A G on another M is told by that M (its first event, or the advancer's sweep): a
        // running status written here would bind it to this M. An ended G (a stale reference,
        // or one the reaper ended) has no status left to tell: the caller drops its event.
        boolean onM = GState.isOnM(s);
        if (s != Status.GO_BAD && (!onM || m.curG == g) && !g.statusWasTraced(gen) && g.acquireStatus(gen)) {
            writeGoStatus(g, onM ? m.mid : EventType.NO_THREAD, s);
        }
    }

    /** Unblocks {@code t}, whose claim this writer holds. */
    private void unblock(GState t, CapturedStack stack) {
        b.event(EventType.GO_UNBLOCK, ts);
        b.varint(t.id);
        b.varint(t.nextSeq(gen));
        b.varint(stackId(stack));
        t.tell(Status.GO_RUNNABLE, gen);
    }

    /**
     * Starts {@code g} on this M (which runs no G): repairs a missed unblock first. False, with
     * the event dropped and counted, if another writer is telling {@code g} right now, or if
     * the trace has it on another M or ended.
     */
    private boolean startOnM(GState g) {
        int s = g.claim(gen);
        if (s < 0) {
            m.session.inconsistentEvents.increment(); // another writer is telling it, or a later generation told it
            return false;
        }
        try {
            introduce(g, s);
            if (s == Status.GO_RUNNING || s == Status.GO_SYSCALL || s == Status.GO_BAD) {
                m.session.inconsistentEvents.increment(); // on another M, or ended, as far as the trace knows
                return false;
            }
            ensureProc();
            if (s == Status.GO_WAITING) {
                unblock(g, null);
            }
            b.event(EventType.GO_START, ts);
            b.varint(g.id);
            b.varint(g.nextSeq(gen));
            g.tell(Status.GO_RUNNING, gen); // from now on this M tells it
            m.setCurG(g);
            tellNames(g);
            return true;
        } finally {
            g.release();
        }
    }

    /** The G of {@code vt}, running on this M; started here first if the trace did not know. */
    private GState ensureOnM(Thread vt) {
        GState cur = m.curG;
        if (cur != null && cur.thread == vt) {
            return cur.status == Status.GO_RUNNING ? cur : inconsistent();
        }
        if (cur != null) {
            return inconsistent();
        }
        GState g = lookup(vt, Status.GO_RUNNABLE);
        return startOnM(g) ? g : null;
    }

    private GState inconsistent() {
        m.session.inconsistentEvents.increment();
        return null;
    }

    private void stopOnM(Thread vt, int type, String reason, CapturedStack stack, int newStatus) {
        if (!begin()) {
            return;
        }
        GState g = ensureOnM(vt);
        if (g != null) {
            stopCurrent(g, type, reason, stack, newStatus);
        }
    }

    private void stopCurrent(GState g, int type, String reason, CapturedStack stack, int newStatus) {
        b.event(type, ts);
        b.varint(stringId(reason));
        b.varint(stackId(stack));
        g.tell(newStatus, gen); // g is on this M: no claim needed, the new status hands it over
        m.setCurG(null);
    }

    /**
     * Makes {@code t} the G of an event it emits on this M. A platform thread is its own M: see
     * {@link #enterPlatform}. A virtual thread that the capture layer has not shown running
     * here is started for the event and stopped after it ({@link #exitCurrent}).
     * Null {@code t}: the event belongs to whatever runs here; null is returned, unless what runs
     * here is this M's own platform thread, in its syscall, and the event needs it running: then
     * it borrows its P as for its own events (a thread that emitted as itself and is also used as a
     * carrier: a creation by a G in a syscall is one Go's parser rejects).
     * Returns null if {@code t} cannot run here.
     * {@code needsRun}: the event needs a running G with a P (Go's UserGoReqs; a creation needs a P).
     */
    private GState enterCurrent(Thread t, boolean needsRun) {
        if (t == null) {
            GState cur = m.curG;
            if (!needsRun || cur == null || cur.thread != m.thread) {
                refused = false;
                return null;
            }
            GState g = enterPlatform(m.thread, true);
            refused = g == null;
            return g;
        }
        if (t == m.thread && !t.isVirtual()) {
            return enterPlatform(t, needsRun);
        }
        GState cur = m.curG;
        if (cur != null && cur.thread == t) {
            return cur;
        }
        if (cur != null) {
            return inconsistent();
        }
        GState g = lookup(t, Status.GO_RUNNABLE);
        if (!startOnM(g)) {
            return null;
        }
        bracketed = t.isVirtual();
        return g;
    }

    /**
     * A platform thread emitting on its own M. Its G sits in a syscall on this M for the whole
     * trace (it runs code outside the virtual-thread scheduler), introduced by a GoStatus in the
     * session's first generation and by a GoCreateSyscall after it; the M holds no P. An event
     * that needs a running G with a P, and the G's label once per generation, borrow the M's own
     * P around it: ProcStart, GoSyscallEndBlocked, GoStart ... then {@link #exitPlatform}:
     * GoSyscallBegin, ProcStop. An unblock needs neither (Go lets anything unblock a G). A thread
     * that emits as itself is a platform thread, not a carrier: a capture layer tells a carrier's
     * own events as the scheduler's (no G), and a start of a virtual thread on an M whose platform
     * thread sits in its syscall is dropped and counted.
     */
    private GState enterPlatform(Thread t, boolean needsRun) {
        GState g = m.curG;
        if (g == null) {
            g = lookup(t, Status.GO_SYSCALL);
            int s = g.claim(gen);
            if (s < 0) {
                return inconsistent();
            }
            try {
                if (g.known()) {
                    return inconsistent(); // told as something else: cannot bind it here
                }
                g.setKnownSince(gen);
                if (gen == m.session.firstGen) {
                    if (g.acquireStatus(gen)) {
                        writeGoStatus(g, m.mid, Status.GO_SYSCALL);
                    }
                } else {
                    b.event(EventType.GO_CREATE_SYSCALL, ts);
                    b.varint(g.id);
                    g.setStatusTraced(gen);
                }
                g.tell(Status.GO_SYSCALL, gen);
                m.setCurG(g);
            } finally {
                g.release();
            }
        } else if (g.thread != t || g.status != Status.GO_SYSCALL) {
            return inconsistent();
        }
        if (needsRun || g.labelGen != gen || g.label != t.getName()) {
            ensureProc();
            b.event(EventType.GO_SYSCALL_END_BLOCKED, ts);
            g.tell(Status.GO_RUNNABLE, gen);
            b.event(EventType.GO_START, ts);
            b.varint(g.id);
            b.varint(g.nextSeq(gen));
            g.tell(Status.GO_RUNNING, gen);
            tellNames(g);
            platformRun = true;
            if (!needsRun) {
                exitPlatform(g); // the label only: the event itself needs no P
            }
        }
        return g;
    }

    /** Puts a platform thread's G back into its syscall and gives its P back. */
    private void exitPlatform(GState g) {
        ProcState p = m.proc;
        b.event(EventType.GO_SYSCALL_BEGIN, ts);
        b.varint(p.nextSeq(gen));
        b.varint(0);
        g.tell(Status.GO_SYSCALL, gen);
        b.event(EventType.PROC_STOP, ts);
        p.status = Status.PROC_IDLE;
        platformRun = false;
    }

    /**
     * Right after {@code g} started on this M: its name as a GoLabel, and this carrier's name as
     * a log, each once per generation and again when it changed. A name is a field read, and
     * compared by reference (Thread.setName stores a new string): nothing allocates but the
     * string table's first sight of a name in a generation. An unnamed thread gets no label.
     */
    private void tellNames(GState g) {
        String n = g.thread.getName();
        if (g.labelGen != gen || g.label != n) {
            g.labelGen = gen;
            g.label = n;
            if (!n.isEmpty()) {
                b.event(EventType.GO_LABEL, ts);
                b.varint(nameId(n));
            }
        }
        Thread carrier = m.thread;
        if (carrier != g.thread) {
            String cn = carrier.getName();
            if (m.namedGen != gen || m.namedAs != cn) {
                m.namedGen = gen;
                m.namedAs = cn;
                nameLog(ThreadIdentity.CARRIER_LOG, cn);
                clockAnchor();
            }
        } else if (g.labelGen == gen) {
            clockAnchor(); // a platform thread's label bracket: once per generation too
        }
    }

    /**
     * The generation's clock anchor (the trace's wall clock, {@link dev.loomtracer.format.ClockAnchor}),
     * by the first writer to get here in the generation; its message was built by the advancer.
     */
    private void clockAnchor() {
        TraceSession s = m.session;
        if (s.claimClock(gen)) {
            nameLog(dev.loomtracer.format.ClockAnchor.CATEGORY, s.clockAnchor);
        }
    }

    /** A tracer's own log on the running G (names, clock): its category recurs, its message is told once. */
    private void nameLog(String category, String message) {
        b.event(EventType.USER_LOG, ts);
        b.varint(0);
        b.varint(stringId(category));
        b.varint(nameId(message));
        b.varint(0);
    }

    /**
     * The string id of a name told once in the generation (a thread's name, a carrier's, the clock
     * anchor): a fresh id, kept in this M's {@link FreshStrings} for the dump, not looked up in the
     * shared table, where nearly every such name is new. 0 for an empty one.
     */
    private long nameId(String s) {
        int slot = (int) (gen & 1);
        long id = idOrLoss(m.session.strings[slot].freshId(s));
        if (id != 0) {
            m.freshNames[slot].add(id, s);
        }
        return id;
    }

    private void exitCurrent(GState g) {
        if (platformRun && g != null) {
            exitPlatform(g);
            return;
        }
        if (bracketed && g != null) {
            stopCurrent(g, EventType.GO_STOP, UNOBSERVED, null, Status.GO_RUNNABLE);
            bracketed = false;
        }
    }

    private void writeLog(long task, String key, String value, CapturedStack stack) {
        b.event(EventType.USER_LOG, ts);
        b.varint(task);
        b.varint(stringId(key));
        b.varint(stringId(value));
        b.varint(stackId(stack));
    }

    private long stringId(String s) {
        if (s == null) {
            return 0;
        }
        // An M's strings are mostly the same few reasons and names over and over: the M's own
        // cache saves a probe of the shared table (and the cache lines it touches) per event.
        int h = s.hashCode();
        long id = ids.get(s, h, gen);
        return id != IdCache.MISS ? id : remember(s, h, m.session.strings[(int) (gen & 1)].put(s));
    }

    private long stackId(CapturedStack s) {
        if (s == null) {
            return 0;
        }
        int h = s.hashCode();
        long id = ids.get(s, h, gen);
        return id != IdCache.MISS ? id : remember(s, h, m.session.stacks[(int) (gen & 1)].put(s));
    }

    /** The id a generation's table gave {@code key} (hash {@code h}), kept in this M's cache; see {@link #idOrLoss}. */
    private long remember(Object key, int h, long id) {
        if (id != StringTable.FULL) {
            ids.put(key, h, id);
        }
        return idOrLoss(id);
    }

    /**
     * {@code id}, or 0 if the table refused a new entry ({@link StringTable#FULL}): the memory
     * budget is spent, this generation is lost (never written) and counted, so the id does not
     * matter.
     */
    private long idOrLoss(long id) {
        if (id == StringTable.FULL) {
            m.session.recordLoss(gen);
            return 0;
        }
        return id;
    }
}
