package dev.loomtracer.parse;

import static dev.loomtracer.format.EventType.*;

import dev.loomtracer.format.Status;
import dev.loomtracer.parse.Transition.State;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Emulates the scheduler state of Go's parser to validate events and put them in order: a state
 * machine per G, per P and per M, per-generation sequence numbers, GC and range state, active
 * tasks (a port of Go 1.23's {@code internal/trace/order.go}).
 *
 * <p>Invariant: {@link #advance} either accepts the event, updates the state and queues the
 * resulting event(s), or leaves the state untouched and returns false ("not yet: try another M"),
 * or throws because no order can make the trace valid.
 */
final class Ordering {
    static final long NO = TraceEvent.NONE;
    /** The most arguments after the timestamp any event has (Go 1.23's spec table: GoStatusStack has 4). */
    static final int MAX_ARGS = 5;

    /** Thrown for an event that is invalid in any order; the parser adds where it is. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /** The scheduling resources of an event (Go's schedCtx). */
    record Ctx(long g, long p, long m) {
        Ctx withG(long ng) {
            return new Ctx(ng, p, m);
        }

        Ctx withP(long np) {
            return new Ctx(g, np, m);
        }

        Ctx withM(long nm) {
            return new Ctx(g, p, nm);
        }
    }

    /** The undecoded event being advanced; args may be rewritten as Go does. */
    static final class Raw {
        int type;
        long time;
        final long[] args = new long[MAX_ARGS];
        int argCount;
        long offset;

        long[] copyArgs() {
            long[] a = new long[argCount];
            System.arraycopy(args, 0, a, 0, argCount);
            return a;
        }
    }

    private record RangeType(int type, long desc, String descString) {
        boolean same(RangeType o) {
            return type == o.type && desc == o.desc;
        }
    }

    private record Region(long task, String name) {}

    private record TaskState(String name, long parent) {}

    /**
     * A sequence number local to a generation (Go's seqCounter). Each G's and P's is its own object,
     * never shared, so the hot GoStart and GoUnblock advance it in place instead of making one.
     */
    private static final class Seq {
        long gen;
        long seq;

        Seq(long gen, long seq) {
            this.gen = gen;
            this.seq = seq;
        }

        boolean succeeds(Seq b) {
            return gen == b.gen && seq == b.seq + 1;
        }

        @Override
        public String toString() {
            return seq + " (gen=" + gen + ")";
        }
    }

    private static class RangeState {
        final List<RangeType> inFlight = new ArrayList<>(0);

        boolean hasRange(RangeType t) {
            for (RangeType r : inFlight) {
                if (r.same(t)) {
                    return true;
                }
            }
            return false;
        }

        void beginRange(RangeType t) throws Invalid {
            if (hasRange(t)) {
                throw new Invalid("discovered event already in-flight for when starting event " + EventSpec.name(t.type));
            }
            inFlight.add(t);
        }

        void activeRange(RangeType t, boolean initialGen) throws Invalid {
            if (initialGen) {
                if (hasRange(t)) {
                    throw new Invalid("found named active range already in first gen: " + EventSpec.name(t.type));
                }
                inFlight.add(t);
            } else if (!hasRange(t)) {
                throw new Invalid("resource is missing active range: " + EventSpec.name(t.type));
            }
        }

        RangeType endRange(int type) throws Invalid {
            int st = EventSpec.startEvent(type);
            for (int i = 0; i < inFlight.size(); i++) {
                if (inFlight.get(i).type == st) {
                    RangeType r = inFlight.get(i);
                    inFlight.set(i, inFlight.get(inFlight.size() - 1));
                    inFlight.remove(inFlight.size() - 1);
                    return r;
                }
            }
            throw new Invalid("tried to end event " + EventSpec.name(st) + ", but not in-flight");
        }
    }

    /** What the ordering knows of a G (Go's order.go gState; not the engine's writer-side GState). */
    private static final class GOrderState extends RangeState {
        final long id;
        int status;
        Seq seq;
        final List<Region> regions = new ArrayList<>(0);
        Ctx running; // the context it last started running in (a value: reused when it starts there again), or null

        GOrderState(long id, int status, Seq seq) {
            this.id = id;
            this.status = status;
            this.seq = seq;
        }
    }

    /** What the ordering knows of a P (order.go pState). */
    private static final class POrderState extends RangeState {
        final long id;
        int status;
        Seq seq;

        POrderState(long id, int status, Seq seq) {
            this.id = id;
            this.status = status;
            this.seq = seq;
        }
    }

    /** What the ordering knows of an M: the G and P it runs (order.go mState; not the engine's MState). */
    private static final class MOrderState {
        long g = NO;
        long p = NO;
        Ctx ctx; // the context it advanced to last (Ctx is a value: reused instead of made per event), or null
        Ctx idle; // its context without a G last made, or null (reused likewise)
    }

    private static final int GC_UNDETERMINED = 0, GC_NOT_RUNNING = 1, GC_RUNNING = 2;

    private final LongMap<GOrderState> gStates = new LongMap<>(1024);
    private final LongMap<POrderState> pStates = new LongMap<>();
    private final LongMap<MOrderState> mStates = new LongMap<>();
    private final LongMap<TaskState> activeTasks = new LongMap<>(1024);
    private long gcSeq;
    private int gcState = GC_UNDETERMINED;
    private long initialGen;
    private final ArrayDeque<TraceEvent> queue = new ArrayDeque<>(); // after first, when hasFirst
    private TraceEvent first;
    private boolean hasFirst;
    private TraceEvent spare; // a released event, when hasSpare (before those in free)
    private boolean hasSpare;
    /** Events handed back to be refilled (TraceParser.reuseEvents), or null: a new event for each. */
    private ArrayDeque<TraceEvent> free;

    // Per-call context.
    private MOrderState curM; // the state of the event's M, null for an event on no M
    private Raw ev;
    private Generation evt;
    private long gen;

    /** Next ordered event, or null if none is queued. */
    TraceEvent next() {
        if (hasFirst) {
            hasFirst = false;
            return first;
        }
        return queue.poll();
    }

    /**
     * Queues {@code e}. Most advances queue one event, taken before the next advance: it is kept in
     * a field, which the pooled events' cycle mostly sets to the object already there (a reference
     * stored into this long-lived object otherwise costs a fence under G1; see TraceEvent.refill).
     */
    private void enqueue(TraceEvent e) {
        if (!hasFirst && queue.isEmpty()) {
            if (first != e) {
                first = e;
            }
            hasFirst = true;
        } else {
            queue.add(e);
        }
    }

    /** Distinct goroutines, procs and threads the state machines know now. */
    int goroutines() {
        return gStates.size();
    }

    /**
     * Tries to advance {@code ev}, which is the next event of thread {@code m} in generation
     * {@code g}. Returns false if it cannot advance yet.
     */
    boolean advance(Raw raw, Generation g, long m) throws Invalid {
        if (initialGen == 0) {
            initialGen = g.number;
        }
        this.ev = raw;
        this.evt = g;
        this.gen = g.number;
        MOrderState ms = null;
        Ctx cur;
        if (m == NO) {
            cur = new Ctx(NO, NO, m);
        } else {
            ms = mStates.getRecent(m); // most events are on the M of the event before
            if (ms == null) {
                ms = new MOrderState();
                mStates.put(m, ms);
            }
            cur = ms.ctx;
            if (cur == null || cur.g != ms.g || cur.p != ms.p) {
                cur = new Ctx(ms.g, ms.p, m);
            }
        }
        curM = ms;
        Ctx next = dispatch(cur);
        if (next != null && ms != null) {
            ms.p = next.p;
            ms.g = next.g;
            Ctx keep = next.m == m ? next : null;
            if (ms.ctx != keep) { // (a reference stored only when it changes: G1's write barrier fences)
                ms.ctx = keep;
            }
        }
        return next != null;
    }

    private Ctx dispatch(Ctx cur) throws Invalid {
        return switch (ev.type) {
            case PROCS_CHANGE, GO_LABEL, USER_LOG -> annotation(cur);
            case PROC_START -> procStart(cur);
            case PROC_STOP -> procStop(cur);
            case PROC_STEAL -> procSteal(cur);
            case PROC_STATUS -> procStatus(cur);
            case GO_CREATE, GO_CREATE_BLOCKED -> goCreate(cur);
            case GO_CREATE_SYSCALL -> goCreateSyscall(cur);
            case GO_START -> goStart(cur);
            case GO_DESTROY, GO_STOP, GO_BLOCK -> goStopExec(cur);
            case GO_DESTROY_SYSCALL -> goDestroySyscall(cur);
            case GO_UNBLOCK -> goUnblock(cur);
            case GO_SYSCALL_BEGIN -> goSyscallBegin(cur);
            case GO_SYSCALL_END -> goSyscallEnd(cur);
            case GO_SYSCALL_END_BLOCKED -> goSyscallEndBlocked(cur);
            case GO_STATUS, GO_STATUS_STACK -> goStatus(cur);
            case STW_BEGIN, GC_MARK_ASSIST_BEGIN -> goRangeBegin(cur);
            case STW_END, GC_MARK_ASSIST_END -> goRangeEnd(cur);
            case GC_ACTIVE -> gcActive(cur);
            case GC_BEGIN -> gcBegin(cur);
            case GC_END -> gcEnd(cur);
            case GC_SWEEP_ACTIVE -> gcSweepActive(cur);
            case GC_SWEEP_BEGIN -> gcSweepBegin(cur);
            case GC_SWEEP_END -> gcSweepEnd(cur);
            case GC_MARK_ASSIST_ACTIVE -> goRangeActive(cur);
            case HEAP_ALLOC, HEAP_GOAL -> heapMetric(cur);
            case USER_TASK_BEGIN -> userTaskBegin(cur);
            case USER_TASK_END -> userTaskEnd(cur);
            case USER_REGION_BEGIN -> userRegionBegin(cur);
            case USER_REGION_END -> userRegionEnd(cur);
            case GO_SWITCH, GO_SWITCH_DESTROY -> goSwitch(cur);
            default -> {
                if (EventSpec.isExperimental(ev.type)) {
                    yield allocFree(cur);
                }
                throw new Invalid("bad event type found while ordering: " + ev.type);
            }
        };
    }

    // ---- helpers ----

    private static final int MUST_HAVE = 1, MUST_NOT_HAVE = 2, MAY_HAVE = 0;

    private static void validateCtx(Ctx c, int thread, int proc, int goroutine) throws Invalid {
        if (thread == MUST_HAVE && c.m == NO) {
            throw new Invalid("expected a thread but didn't have one");
        } else if (thread == MUST_NOT_HAVE && c.m != NO) {
            throw new Invalid("expected no thread but had one");
        }
        if (proc == MUST_HAVE && c.p == NO) {
            throw new Invalid("expected a proc but didn't have one");
        } else if (proc == MUST_NOT_HAVE && c.p != NO) {
            throw new Invalid("expected no proc but had one");
        }
        if (goroutine == MUST_HAVE && c.g == NO) {
            throw new Invalid("expected a goroutine but didn't have one");
        } else if (goroutine == MUST_NOT_HAVE && c.g != NO) {
            throw new Invalid("expected no goroutine but had one");
        }
    }

    private static void userGoReqs(Ctx c) throws Invalid {
        validateCtx(c, MUST_HAVE, MUST_HAVE, MUST_HAVE);
    }

    private String name() {
        return EventSpec.name(ev.type);
    }

    /** The G's state, or null (most events name a G of the event before). */
    private GOrderState gState(long id) {
        return gStates.getRecent(id);
    }

    /** {@code cur.withG(NO)}, the one its M made last if it is the same. */
    private Ctx withoutG(Ctx cur) {
        MOrderState ms = curM;
        if (ms == null) {
            return cur.withG(NO);
        }
        Ctx c = ms.idle;
        if (c == null || c.p != cur.p || c.m != cur.m) {
            c = ms.idle = cur.withG(NO);
        }
        return c;
    }

    private Seq seq(long s) {
        return new Seq(gen, s);
    }

    /** {@code seq(s).succeeds(prev)}, without making the Seq (most tries fail: "not yet"). */
    private boolean succeeds(long s, Seq prev) {
        return gen == prev.gen && s == prev.seq + 1;
    }

    /** From now on, events come from a pool that {@link #release} refills. */
    void reuseEvents() {
        if (free == null) {
            free = new ArrayDeque<>();
        }
    }

    /** {@code e}, which the parser returned and its caller is done with, may be refilled. */
    void release(TraceEvent e) {
        if (free != null && e.pooled) {
            if (!hasSpare) { // (the same object as last time, mostly: see enqueue)
                if (spare != e) {
                    spare = e;
                }
                hasSpare = true;
            } else {
                free.push(e);
            }
        }
    }

    private TraceEvent push(Ctx c) {
        if (free != null) {
            TraceEvent e = pooled(c, ev.type, ev.argCount);
            System.arraycopy(ev.args, 0, e.args, 0, ev.argCount);
            return e;
        }
        return push(c, ev.type, ev.copyArgs());
    }

    private TraceEvent push(Ctx c, int type, long[] args) {
        TraceEvent e;
        if (free != null) {
            e = pooled(c, type, args.length);
            System.arraycopy(args, 0, e.args, 0, args.length);
            return e;
        }
        e = new TraceEvent(type, ev.time, c.m, c.p, c.g, args, gen, ev.offset);
        enqueue(e);
        return e;
    }

    /** A pooled event refilled and queued; its arguments are the caller's to copy in. */
    private TraceEvent pooled(Ctx c, int type, int argCount) {
        TraceEvent e;
        if (hasSpare) {
            hasSpare = false;
            e = spare;
        } else {
            e = free.poll();
            if (e == null) {
                e = TraceEvent.pooled();
            }
        }
        e.refill(type, ev.time, c.m, c.p, c.g, argCount, gen, ev.offset);
        enqueue(e);
        return e;
    }

    private GOrderState runningG(Ctx cur, int wantStatus, String wantName) throws Invalid {
        GOrderState s = gState(cur.g);
        if (s == null) {
            throw new Invalid("event " + name() + " for goroutine (" + cur.g + ") that doesn't exist");
        }
        if (s.status != wantStatus) {
            throw new Invalid(name() + " event for goroutine that's not " + wantName);
        }
        return s;
    }

    private RangeType rangeType(int type, long desc, String descString) {
        int st = EventSpec.startEvent(type);
        return new RangeType(st != 0 ? st : type, desc, descString);
    }

    // ---- procs ----

    private Ctx procStatus(Ctx cur) throws Invalid {
        long pid = ev.args[0];
        long status = ev.args[1];
        if (status < 0 || status >= 5) {
            throw new Invalid("invalid status for proc " + pid + ": " + status);
        }
        State oldState = State.ofProcStatus(status);
        POrderState s = pStates.get(pid);
        if (s != null) {
            if (status == Status.PROC_SYSCALL_ABANDONED && s.status == Status.PROC_SYSCALL) {
                // Abandoned is a special case of Syscall: promote it and advance.
                oldState = State.RUNNING;
                ev.args[1] = Status.PROC_SYSCALL;
            } else if (status == Status.PROC_SYSCALL_ABANDONED && s.status == Status.PROC_SYSCALL_ABANDONED) {
                oldState = State.IDLE;
                ev.args[1] = Status.PROC_SYSCALL_ABANDONED;
            } else if (s.status != status) {
                throw new Invalid("inconsistent status for proc " + pid + ": old "
                        + Status.procName(s.status) + " vs. new " + Status.procName((int) status));
            }
            s.seq = seq(0);
        } else {
            pStates.put(pid, new POrderState(pid, (int) status, seq(0)));
            oldState = gen == initialGen ? State.UNDETERMINED : State.NOT_EXIST;
        }
        Ctx next = cur;
        if (status == Status.PROC_RUNNING || status == Status.PROC_SYSCALL) {
            next = cur.withP(pid);
        }
        if (status == Status.PROC_SYSCALL_ABANDONED && oldState == State.RUNNING) {
            // The P is about to be stolen: emit the status in the context it is bound to.
            boolean found = false;
            long[] ms = mStates.keys();
            java.util.Arrays.sort(ms); // in id order, as a HashMap of small ids iterated
            for (long mid : ms) {
                MOrderState state = mStates.get(mid);
                if (state.p == pid) {
                    cur = new Ctx(state.g, pid, mid);
                    found = true;
                }
            }
            if (!found) {
                throw new Invalid("failed to find sched context for proc " + pid + " that's about to be stolen");
            }
        }
        push(cur).from = oldState;
        return next;
    }

    private Ctx procStart(Ctx cur) throws Invalid {
        long pid = ev.args[0];
        Seq seq = seq(ev.args[1]);
        POrderState state = pStates.get(pid);
        if (state == null || state.status != Status.PROC_IDLE || !seq.succeeds(state.seq) || cur.p != NO) {
            // Not yet, and not necessarily wrong: another M may not have reached the P's status,
            // its ProcStop or the earlier sequence number yet. An M that still holds a P (in a
            // syscall) waits until the steal of that P has been seen (order.go, advanceProcStart).
            return null;
        }
        validateCtx(cur, MUST_HAVE, MUST_NOT_HAVE, MAY_HAVE);
        state.status = Status.PROC_RUNNING;
        state.seq = seq;
        push(cur);
        return cur.withP(pid);
    }

    private Ctx procStop(Ctx cur) throws Invalid {
        POrderState state = pStates.get(cur.p);
        if (state == null) {
            throw new Invalid("event " + name() + " for proc (" + cur.p + ") that doesn't exist");
        }
        if (state.status != Status.PROC_RUNNING && state.status != Status.PROC_SYSCALL) {
            throw new Invalid(name() + " event for proc that's not Running or Syscall");
        }
        validateCtx(cur, MUST_HAVE, MUST_HAVE, MAY_HAVE);
        state.status = Status.PROC_IDLE;
        push(cur);
        return cur.withP(NO);
    }

    private Ctx procSteal(Ctx cur) throws Invalid {
        long pid = ev.args[0];
        Seq seq = seq(ev.args[1]);
        POrderState state = pStates.get(pid);
        if (state == null || (state.status != Status.PROC_SYSCALL && state.status != Status.PROC_SYSCALL_ABANDONED)
                || !seq.succeeds(state.seq)) {
            // Not yet: the P's status, its syscall or the steal's predecessor in sequence may be
            // on an M not reached yet (order.go, advanceProcSteal).
            return null;
        }
        validateCtx(cur, MUST_HAVE, MAY_HAVE, MAY_HAVE);
        int oldStatus = state.status;
        state.status = Status.PROC_IDLE;
        state.seq = seq;
        if (oldStatus == Status.PROC_SYSCALL_ABANDONED) {
            push(cur).stealStatus = oldStatus;
            return cur;
        }
        long mid = ev.args[2];
        if (mid == cur.m) {
            if (cur.p != pid) {
                throw new Invalid("tried to self-steal proc " + pid + " (thread " + mid + "), but got proc "
                        + cur.p + " instead");
            }
            push(cur).stealStatus = oldStatus;
            return cur.withP(NO);
        }
        MOrderState victim = mStates.get(mid);
        if (victim == null) {
            throw new Invalid("stole proc from non-existent thread " + mid);
        }
        if (victim.p != pid) {
            throw new Invalid("tried to steal proc " + pid + " from thread " + mid + ", but got proc "
                    + victim.p + " instead");
        }
        victim.p = NO;
        push(cur).stealStatus = oldStatus;
        return cur;
    }

    // ---- goroutines ----

    private Ctx goStatus(Ctx cur) throws Invalid {
        long gid = ev.args[0];
        long mid = ev.args[1];
        long status = ev.args[2];
        if (status < 0 || status >= 5) {
            throw new Invalid("invalid status for goroutine " + gid + ": " + status);
        }
        State oldState = State.ofGoStatus(status);
        GOrderState s = gState(gid);
        if (s != null) {
            if (s.status != status) {
                throw new Invalid("inconsistent status for goroutine " + gid + ": old " + Status.goName(s.status)
                        + " vs. new " + Status.goName((int) status));
            }
            s.seq = seq(0);
        } else if (gen == initialGen) {
            gStates.put(gid, new GOrderState(gid, (int) status, seq(0)));
            oldState = State.UNDETERMINED;
        } else {
            throw new Invalid("found goroutine status for new goroutine after the first generation: id="
                    + gid + " status=" + Status.goName((int) status));
        }
        Ctx next = cur;
        if (status == Status.GO_RUNNING) {
            next = cur.withG(gid);
        } else if (status == Status.GO_SYSCALL) {
            if (mid == NO) {
                throw new Invalid("found goroutine " + gid + " in syscall without a thread");
            }
            if (mid == cur.m) {
                if (gen != initialGen && cur.g != gid) {
                    throw new Invalid("inconsistent thread for syscalling goroutine " + gid
                            + ": thread has goroutine " + cur.g);
                }
                next = cur.withG(gid);
            } else {
                MOrderState ms = mStates.get(mid);
                if (ms != null) {
                    if (ms.g != gid) {
                        throw new Invalid("inconsistent thread for syscalling goroutine " + gid
                                + ": thread has goroutine " + ms.g);
                    }
                    cur = cur.withG(ms.g);
                } else {
                    MOrderState fresh = new MOrderState();
                    fresh.g = gid;
                    mStates.put(mid, fresh);
                }
                cur = cur.withM(mid);
            }
        }
        push(cur).from = oldState;
        return next;
    }

    private Ctx goCreate(Ctx cur) throws Invalid {
        validateCtx(cur, MUST_HAVE, MUST_HAVE, MAY_HAVE);
        GOrderState creator = gState(cur.g);
        if (creator != null && creator.status != Status.GO_RUNNING) {
            throw new Invalid(name() + " event for goroutine that's not Running");
        }
        long newgid = ev.args[0];
        if (gStates.containsKey(newgid)) {
            throw new Invalid("tried to create goroutine (" + newgid + ") that already exists");
        }
        int status = ev.type == GO_CREATE_BLOCKED ? Status.GO_WAITING : Status.GO_RUNNABLE;
        gStates.put(newgid, new GOrderState(newgid, status, seq(0)));
        push(cur);
        return cur;
    }

    private Ctx goStopExec(Ctx cur) throws Invalid {
        userGoReqs(cur);
        GOrderState state = runningG(cur, Status.GO_RUNNING, "Running");
        Ctx next = withoutG(cur);
        switch (ev.type) {
            case GO_DESTROY -> {
                gStates.remove(cur.g);
            }
            case GO_STOP -> state.status = Status.GO_RUNNABLE;
            default -> state.status = Status.GO_WAITING;
        }
        push(cur);
        return next;
    }

    private Ctx goStart(Ctx cur) throws Invalid {
        long gid = ev.args[0];
        GOrderState state = gState(gid);
        if (state == null || state.status != Status.GO_RUNNABLE || !succeeds(ev.args[1], state.seq)) {
            // Not yet: the G's creation, status or unblock, or the start before this one, may be
            // in another M's batch that has not been reached (order.go, advanceGoStart).
            return null;
        }
        validateCtx(cur, MUST_HAVE, MUST_HAVE, MUST_NOT_HAVE);
        state.status = Status.GO_RUNNING;
        state.seq.seq = ev.args[1]; // its gen is this one: it succeeds
        push(cur);
        Ctx next = state.running;
        if (next == null || next.p != cur.p || next.m != cur.m) {
            next = state.running = cur.withG(gid);
        }
        return next;
    }

    private Ctx goUnblock(Ctx cur) {
        long gid = ev.args[0];
        GOrderState state = gState(gid);
        if (state == null || state.status != Status.GO_WAITING || !succeeds(ev.args[1], state.seq)) {
            // Not yet: the unblocked G (not the current one) may not have been created, told its
            // status or blocked in the events reached so far (order.go, advanceGoUnblock).
            return null;
        }
        state.status = Status.GO_RUNNABLE;
        state.seq.seq = ev.args[1]; // its gen is this one: it succeeds
        push(cur);
        return cur;
    }

    private Ctx goSwitch(Ctx cur) throws Invalid {
        userGoReqs(cur);
        GOrderState curG = runningG(cur, Status.GO_RUNNING, "Running");
        long nextg = ev.args[0];
        Seq seq = seq(ev.args[1]);
        GOrderState nextG = gState(nextg);
        if (nextG == null || nextG.status != Status.GO_WAITING || !seq.succeeds(nextG.seq)) {
            // Not yet: a switch starts the next G, so like a GoStart it waits for that G's
            // creation, status and earlier sequence numbers (order.go, advanceGoSwitch).
            return null;
        }
        push(cur);
        if (ev.type == GO_SWITCH) {
            curG.status = Status.GO_WAITING;
            push(cur, GO_BLOCK, new long[] {0, 0});
        } else {
            gStates.remove(cur.g);
            push(cur, GO_DESTROY, new long[0]);
        }
        nextG.status = Status.GO_RUNNING;
        nextG.seq = seq;
        push(cur.withG(NO), GO_START, new long[] {nextg, ev.args[1]});
        return cur.withG(nextg);
    }

    private Ctx goSyscallBegin(Ctx cur) throws Invalid {
        userGoReqs(cur);
        GOrderState state = runningG(cur, Status.GO_RUNNING, "Running");
        state.status = Status.GO_SYSCALL;
        POrderState p = pStates.get(cur.p);
        if (p == null) {
            throw new Invalid("uninitialized proc " + cur.p + " found during " + name());
        }
        p.status = Status.PROC_SYSCALL;
        Seq pSeq = seq(ev.args[0]);
        if (!pSeq.succeeds(p.seq)) {
            throw new Invalid("failed to advance " + name() + ": can't make sequence: " + p.seq + " -> " + pSeq);
        }
        p.seq = pSeq;
        push(cur);
        return cur;
    }

    private Ctx goSyscallEnd(Ctx cur) throws Invalid {
        userGoReqs(cur);
        GOrderState state = runningG(cur, Status.GO_SYSCALL, "Running");
        state.status = Status.GO_RUNNING;
        POrderState p = pStates.get(cur.p);
        if (p == null) {
            throw new Invalid("uninitialized proc " + cur.p + " found during " + name());
        }
        if (p.status != Status.PROC_SYSCALL) {
            throw new Invalid("expected proc " + cur.p + " in state Syscall, but got "
                    + Status.procName(p.status) + " instead");
        }
        p.status = Status.PROC_RUNNING;
        push(cur);
        return cur;
    }

    private Ctx goSyscallEndBlocked(Ctx cur) throws Invalid {
        if (cur.p != NO) {
            POrderState p = pStates.get(cur.p);
            if (p == null) {
                throw new Invalid("uninitialized proc " + cur.p + " found during " + name());
            }
            if (p.status == Status.PROC_SYSCALL) {
                // Not yet: "ended blocked" says this M lost its P during the syscall, so wait
                // until the ProcStop or ProcSteal that took it has been seen (order.go,
                // advanceGoSyscallEndBlocked).
                return null;
            }
        }
        validateCtx(cur, MUST_HAVE, MAY_HAVE, MUST_HAVE);
        GOrderState state = runningG(cur, Status.GO_SYSCALL, "Running");
        state.status = Status.GO_RUNNABLE;
        push(cur);
        return cur.withG(NO);
    }

    private Ctx goCreateSyscall(Ctx cur) throws Invalid {
        validateCtx(cur, MUST_HAVE, MAY_HAVE, MUST_NOT_HAVE);
        long newgid = ev.args[0];
        if (gStates.containsKey(newgid)) {
            throw new Invalid("tried to create goroutine (" + newgid + ") in syscall that already exists");
        }
        gStates.put(newgid, new GOrderState(newgid, Status.GO_SYSCALL, seq(0)));
        push(cur);
        return cur.withG(newgid);
    }

    private Ctx goDestroySyscall(Ctx cur) throws Invalid {
        validateCtx(cur, MUST_HAVE, MAY_HAVE, MUST_HAVE);
        runningG(cur, Status.GO_SYSCALL, "Syscall");
        gStates.remove(cur.g);
        Ctx next = cur.withG(NO);
        if (cur.p != NO) {
            POrderState p = pStates.get(cur.p);
            if (p == null) {
                throw new Invalid("found invalid proc " + cur.p + " during " + name());
            }
            if (p.status != Status.PROC_SYSCALL) {
                throw new Invalid("proc " + cur.p + " in unexpected state " + Status.procName(p.status)
                        + " during " + name());
            }
            p.status = Status.PROC_SYSCALL_ABANDONED;
            next = next.withP(NO);
            push(cur, PROC_STEAL, new long[] {cur.p, 0, 0}).stealStatus = Status.PROC_SYSCALL;
        }
        push(cur);
        return next;
    }

    // ---- annotations ----

    private Ctx userTaskBegin(Ctx cur) throws Invalid {
        long id = ev.args[0];
        if (activeTasks.containsKey(id)) {
            throw new Invalid("task ID conflict: " + id);
        }
        if (ev.args[1] == 0) {
            ev.args[1] = NO; // 0 means no parent here, not the background task.
        }
        String taskName = evt.string(ev.args[2]);
        if (taskName == null) {
            throw new Invalid("invalid string ID " + ev.args[2] + " for " + name() + " event");
        }
        activeTasks.put(id, new TaskState(taskName, ev.args[1]));
        userGoReqs(cur);
        push(cur);
        return cur;
    }

    private Ctx userTaskEnd(Ctx cur) throws Invalid {
        long id = ev.args[0];
        TaskState ts = activeTasks.remove(id);
        userGoReqs(cur);
        TraceEvent e = push(cur);
        if (ts != null) {
            e.taskParent = ts.parent;
            e.taskName = ts.name;
        } else {
            e.taskParent = NO;
            e.taskName = "";
        }
        return cur;
    }

    private Ctx userRegionBegin(Ctx cur) throws Invalid {
        userGoReqs(cur);
        String regionName = regionName();
        GOrderState g = gState(cur.g);
        if (g == null) {
            throw new Invalid("encountered EvUserRegionBegin without known state for current goroutine " + cur.g);
        }
        g.regions.add(new Region(ev.args[0], regionName));
        push(cur);
        return cur;
    }

    private Ctx userRegionEnd(Ctx cur) throws Invalid {
        userGoReqs(cur);
        String regionName = regionName();
        GOrderState g = gState(cur.g);
        if (g == null) {
            throw new Invalid("encountered EvUserRegionEnd without known state for current goroutine " + cur.g);
        }
        Region r = new Region(ev.args[0], regionName);
        if (!g.regions.isEmpty()) { // Regions that began before tracing started are unknown.
            Region top = g.regions.get(g.regions.size() - 1);
            if (!top.equals(r)) {
                throw new Invalid("misuse of region in goroutine " + g.id + ": region end " + r
                        + " when the inner-most active region start event is " + top);
            }
            g.regions.remove(g.regions.size() - 1);
        }
        push(cur);
        return cur;
    }

    private String regionName() throws Invalid {
        String s = evt.string(ev.args[1]);
        if (s == null) {
            throw new Invalid("invalid string ID " + ev.args[1] + " for " + name() + " event");
        }
        return s;
    }

    private Ctx annotation(Ctx cur) throws Invalid {
        userGoReqs(cur);
        push(cur);
        return cur;
    }

    private Ctx heapMetric(Ctx cur) throws Invalid {
        validateCtx(cur, MUST_HAVE, MUST_HAVE, MAY_HAVE);
        push(cur);
        return cur;
    }

    private Ctx allocFree(Ctx cur) throws Invalid {
        validateCtx(cur, MUST_HAVE, MAY_HAVE, MAY_HAVE);
        push(cur);
        return cur;
    }

    // ---- GC ----

    private Ctx gcActive(Ctx cur) throws Invalid {
        long s = ev.args[0];
        if (gen == initialGen) {
            if (gcState != GC_UNDETERMINED) {
                throw new Invalid("GCActive in the first generation isn't first GC event");
            }
            gcSeq = s;
            gcState = GC_RUNNING;
            push(cur);
            return cur;
        }
        if (s != gcSeq + 1) {
            // Not yet: not the next GC event in sequence; an M not reached yet holds the one
            // before it (order.go, the GC handlers).
            return null;
        }
        if (gcState != GC_RUNNING) {
            throw new Invalid("encountered GCActive while GC was not in progress");
        }
        gcSeq = s;
        userGoReqs(cur);
        push(cur);
        return cur;
    }

    private Ctx gcBegin(Ctx cur) throws Invalid {
        long s = ev.args[0];
        if (gcState == GC_UNDETERMINED) {
            gcSeq = s;
            gcState = GC_RUNNING;
            push(cur);
            return cur;
        }
        if (s != gcSeq + 1) {
            // Not yet: not the next GC event in sequence; an M not reached yet holds the one
            // before it (order.go, the GC handlers).
            return null;
        }
        if (gcState == GC_RUNNING) {
            throw new Invalid("encountered GCBegin while GC was already in progress");
        }
        gcSeq = s;
        gcState = GC_RUNNING;
        userGoReqs(cur);
        push(cur);
        return cur;
    }

    private Ctx gcEnd(Ctx cur) throws Invalid {
        long s = ev.args[0];
        if (s != gcSeq + 1) {
            // Not yet: not the next GC event in sequence; an M not reached yet holds the one
            // before it (order.go, the GC handlers).
            return null;
        }
        if (gcState == GC_NOT_RUNNING) {
            throw new Invalid("encountered GCEnd when GC was not in progress");
        }
        if (gcState == GC_UNDETERMINED) {
            throw new Invalid("encountered GCEnd when GC was in an undetermined state");
        }
        gcSeq = s;
        gcState = GC_NOT_RUNNING;
        userGoReqs(cur);
        push(cur);
        return cur;
    }

    private POrderState curP(Ctx cur) throws Invalid {
        POrderState p = pStates.get(cur.p);
        if (p == null) {
            throw new Invalid("uninitialized proc " + cur.p + " found during " + name());
        }
        return p;
    }

    private Ctx gcSweepBegin(Ctx cur) throws Invalid {
        validateCtx(cur, MUST_HAVE, MUST_HAVE, MAY_HAVE);
        curP(cur).beginRange(rangeType(ev.type, 0, null));
        push(cur);
        return cur;
    }

    private Ctx gcSweepActive(Ctx cur) throws Invalid {
        long pid = ev.args[0];
        POrderState p = pStates.get(pid);
        if (p == null) {
            throw new Invalid("encountered GCSweepActive for unknown proc " + pid);
        }
        p.activeRange(rangeType(ev.type, 0, null), gen == initialGen);
        push(cur);
        return cur;
    }

    private Ctx gcSweepEnd(Ctx cur) throws Invalid {
        validateCtx(cur, MUST_HAVE, MUST_HAVE, MAY_HAVE);
        curP(cur).endRange(ev.type);
        push(cur);
        return cur;
    }

    private Ctx goRangeBegin(Ctx cur) throws Invalid {
        userGoReqs(cur);
        long desc = 0;
        String descString = null;
        if (ev.type == STW_BEGIN) {
            desc = ev.args[0];
            descString = evt.string(desc);
        }
        GOrderState g = gState(cur.g);
        if (g == null) {
            throw new Invalid("encountered event of type " + ev.type + " without known state for current goroutine " + cur.g);
        }
        g.beginRange(rangeType(ev.type, desc, descString));
        push(cur);
        return cur;
    }

    private Ctx goRangeActive(Ctx cur) throws Invalid {
        long gid = ev.args[0];
        GOrderState g = gState(gid);
        if (g == null) {
            throw new Invalid("uninitialized goroutine " + gid + " found during " + name());
        }
        g.activeRange(rangeType(ev.type, 0, null), gen == initialGen);
        push(cur);
        return cur;
    }

    private Ctx goRangeEnd(Ctx cur) throws Invalid {
        userGoReqs(cur);
        GOrderState g = gState(cur.g);
        if (g == null) {
            throw new Invalid("encountered event of type " + ev.type + " without known state for current goroutine " + cur.g);
        }
        RangeType r = g.endRange(ev.type);
        TraceEvent e = push(cur);
        if (ev.type == STW_END) {
            e.stwKind = Objects.requireNonNullElse(r.descString, "");
        }
        return cur;
    }

    /** The state of every G, P and M, for "failed to advance" errors. */
    String dump() {
        StringBuilder sb = new StringBuilder();
        gStates.values().stream().sorted((a, b) -> Long.compare(a.id, b.id)).forEach(s -> sb.append("\n  G ")
                .append(s.id).append(" [status=").append(Status.goName(s.status)).append(" seq=").append(s.seq).append(']'));
        pStates.values().stream().sorted((a, b) -> Long.compare(a.id, b.id)).forEach(s -> sb.append("\n  P ")
                .append(s.id).append(" [status=").append(Status.procName(s.status)).append(" seq=").append(s.seq).append(']'));
        java.util.Arrays.stream(mStates.keys()).sorted().forEach(m -> sb.append("\n  M ")
                .append(m).append(" [g=").append(mStates.get(m).g).append(" p=").append(mStates.get(m).p).append(']'));
        return sb.toString();
    }
}
