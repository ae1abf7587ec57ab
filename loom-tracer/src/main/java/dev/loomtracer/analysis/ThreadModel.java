package dev.loomtracer.analysis;

import static dev.loomtracer.format.EventType.*;

import dev.loomtracer.format.TraceStrings;
import dev.loomtracer.parse.LongMap;
import dev.loomtracer.parse.ParsedStack;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.TraceThreads;
import dev.loomtracer.parse.Transition;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The analysis model: turns the parser's ordered events into {@link Interval}s per thread
 * (running on carrier C, runnable, blocked with reason, stack and unblocker, pinned with reason,
 * in task T and region R), {@link Mount}s per carrier (a virtual thread mounted on it, from mount
 * to unmount) and the regions each thread went through, streaming. This is the one place that knows what a thread was doing
 * between two events; every analysis consumes its intervals.
 *
 * <p>State changes follow {@link TraceEvent#transition()} (Go's {@code StateTransition}); the
 * accounting follows Go 1.23's {@code internal/trace/summary.go} (a state's time runs from the
 * transition into it to the transition out of it). Feed it every event of a
 * {@link dev.loomtracer.parse.TraceParser} in order, then call {@link #finish()}.
 *
 * <p>Invariant: memory is bounded by the live threads, their open regions and the open tasks,
 * never by the number of events; every interval is emitted exactly once, when it ends (the ones
 * still open at {@link #finish()} with {@code cutAtEnd}), through one reused {@link IntervalView}.
 */
public final class ThreadModel implements Consumer<TraceEvent> {
    /** Log key of a pinned episode's reason, written on the pinned thread just before it blocks. */
    public static final String PINNED_LOG_KEY = TraceStrings.PINNED_LOG_KEY;
    /** The reason of a RUNNABLE state that began because a pinned block ended with the thread unmounted. */
    public static final String UNPINNED = "unpinned";
    static final String PLATFORM_GROUP = "platform threads";
    static final String NO_START = "(start not recorded)";

    private record OpenRegion(long task, String name, long start, ParsedStack stack) {}

    /** A task begun in the trace and not ended: its type, and the thread it was begun on. */
    private static final class OpenTask {
        final String type;
        final T owner;
        boolean ended;

        OpenTask(String type, T owner) {
            this.type = type;
            this.owner = owner;
        }
    }

    private static final class T {
        final ThreadInfo info;
        ThreadState state;
        long since;
        long stateSince; // when the state began (a split keeps it); NONE if before the trace
        boolean cutAtStart;
        long carrier = Interval.NONE;
        String reason = "";
        ParsedStack stack = ParsedStack.EMPTY;
        ParsedStack resume = ParsedStack.EMPTY;
        String pendingPin;
        boolean afterBlock; // RUNNABLE because unblocked from a block whose start is in the trace: its reason is the block's
        boolean delivered; // an interval of it was emitted
        long mountedOn = Interval.NONE; // the carrier of its current mount (virtual threads only)
        long mountedSince;
        final ArrayDeque<OpenRegion> regions = new ArrayDeque<>(2);
        long[] tasks = new long[1]; // the tasks begun on it and not ended, innermost last
        int taskCount;
        long typeTask = Interval.NONE; // the task whose type was last looked up for it, and that task
        OpenTask typeOf;

        T(ThreadInfo info) {
            this.info = info;
        }

        void pushTask(long id) {
            if (taskCount == tasks.length) {
                tasks = java.util.Arrays.copyOf(tasks, taskCount * 2);
            }
            tasks[taskCount++] = id;
        }

        /** Removes the innermost occurrence of {@code id}, if any. */
        void removeTask(long id) {
            for (int i = taskCount - 1; i >= 0; i--) {
                if (tasks[i] == id) {
                    System.arraycopy(tasks, i + 1, tasks, i, taskCount - i - 1);
                    taskCount--;
                    return;
                }
            }
        }
    }

    /** What a carrier is doing at one moment (see {@link #carriersNow()}). */
    public record CarrierActivity(long carrier, ThreadInfo thread, ThreadState state, long since, String taskType,
                                  String region) {}

    private final ModelListener out;
    private final IntervalView view = new IntervalView(); // refilled for each interval told
    private final LongMap<T> threads = new LongMap<>(1024); // looked up with getRecent: most events name a thread of the event before
    private final LongMap<T> onCarrier = new LongMap<>();
    private final LongMap<OpenTask> openTasks = new LongMap<>(1024);
    private int runnable;
    private int peakThreads;
    private long firstTime = -1;
    private long lastTime;
    private long schedulingEvents;

    public ThreadModel(ModelListener out) {
        this.out = out;
    }

    /** Time of the first event, -1 before any. */
    public long firstTime() {
        return firstTime;
    }

    /** Time of the latest event. */
    public long lastTime() {
        return lastTime;
    }

    /**
     * Scheduling events a capture layer told: blocks, unblocks, yields and pinned blocks. The engine
     * writes starts, creations and "unobserved switch" stops by itself whenever threads that emit
     * annotations share a carrier, so those do not count: a trace of annotations only has none.
     */
    public long schedulingEvents() {
        return schedulingEvents;
    }

    /** Threads alive in the model now. */
    public int liveThreads() {
        return threads.size();
    }

    /** The most threads alive in the model at once (its memory bound). */
    public int peakThreads() {
        return peakThreads;
    }

    /** What each carrier runs now (a running or pinned thread), by carrier id. */
    public List<CarrierActivity> carriersNow() {
        List<CarrierActivity> l = new ArrayList<>(onCarrier.size());
        for (long carrier : onCarrier.keys()) {
            T t = onCarrier.get(carrier);
            l.add(new CarrierActivity(carrier, t.info, t.state, t.since, typeOf(t, taskOf(t)),
                    t.regions.isEmpty() ? "" : t.regions.peek().name()));
        }
        l.sort((a, b) -> Long.compare(a.carrier(), b.carrier()));
        return l;
    }

    @Override
    public void accept(TraceEvent e) {
        if (e.isSync()) {
            return;
        }
        long now = e.time();
        if (firstTime < 0) {
            firstTime = now;
        }
        lastTime = now;
        // Who is a platform thread is the parser's rule (TraceThreads): a G on the M of its own id.
        if (TraceThreads.isPlatform(e.g(), e.m())) {
            thread(e.g()).info.markPlatform();
        }
        long ownM = TraceThreads.placedOnOwnM(e);
        if (ownM != TraceEvent.NONE) {
            thread(ownM).info.markPlatform();
        }
        if (platformTransition(e, ownM)) {
            // A platform thread runs its own code on itself from first sight to end: the syscall
            // it sits in between its events, and the P it borrows around some of them
            // (docs/FORMAT.md, "Names and platform threads"), are not scheduling.
            return;
        }
        switch (e.type()) {
            case GO_CREATE, GO_CREATE_BLOCKED, GO_CREATE_SYSCALL -> {
                long id = e.arg(0);
                T t = new T(new ThreadInfo(id, groupOf(e.newStack())));
                T was = threads.put(id, t);
                if (was != null) { // met before its creation was read (a platform thread seen first as a G)
                    retire(was, now);
                    if (!was.info.isVirtual()) {
                        t.info.markPlatform();
                    }
                }
                peakThreads = Math.max(peakThreads, threads.size());
                ThreadState s = state(e.transition().to());
                enter(t, s, now, e.type() == GO_CREATE_SYSCALL ? e.m() : Interval.NONE,
                        s == ThreadState.RUNNABLE ? "created" : "", e.newStack());
                if (s != ThreadState.RUNNABLE) {
                    // Created blocked or in a syscall: a thread the trace meets already in that
                    // state (the engine's GoCreateBlocked for a thread first seen waiting, Go's
                    // cgo callbacks), so no block or pinned block began here.
                    t.cutAtStart = true;
                    t.stateSince = Interval.NONE;
                }
            }
            case GO_STATUS, GO_STATUS_STACK -> {
                Transition tr = e.transition();
                if (tr.from() == tr.to() || tr.to() == Transition.State.NOT_EXIST) {
                    return;
                }
                T t = thread(tr.id());
                if (t.state == null) {
                    ThreadState s = state(tr.to());
                    long carrier = s == ThreadState.RUNNING || s == ThreadState.PINNED ? e.arg(1) : Interval.NONE;
                    enter(t, s, now, carrier, "", e.stack());
                    t.cutAtStart = true;
                    t.stateSince = Interval.NONE;
                }
            }
            case GO_START -> {
                T t = thread(e.arg(0));
                t.pendingPin = null;
                enter(t, ThreadState.RUNNING, now, e.m(), "", ParsedStack.EMPTY);
            }
            case GO_STOP -> {
                if (!TraceStrings.UNOBSERVED_SWITCH.equals(e.reason())) {
                    schedulingEvents++;
                }
                T t = current(e);
                if (t != null) {
                    enter(t, ThreadState.RUNNABLE, now, Interval.NONE, e.reason(), e.stack());
                    t.resume = e.stack();
                }
            }
            case GO_BLOCK -> {
                schedulingEvents++;
                T t = current(e);
                if (t != null) {
                    enter(t, ThreadState.BLOCKED, now, Interval.NONE, e.reason(), e.stack());
                    t.resume = e.stack();
                }
            }
            case GO_UNBLOCK, GO_SWITCH, GO_SWITCH_DESTROY -> {
                schedulingEvents++;
                T t = thread(e.arg(0));
                ThreadInfo by = e.g() == TraceEvent.NONE ? null : thread(e.g()).info;
                String blockReason = t.state == ThreadState.BLOCKED ? t.reason : "";
                // The wait after it belongs to a block only if the block is counted: its start is in the trace.
                boolean afterBlock = t.state == ThreadState.BLOCKED && t.stateSince != Interval.NONE;
                if (t.state == ThreadState.BLOCKED) {
                    emit(t, now, false, true, by);
                    t.state = null;
                }
                enter(t, ThreadState.RUNNABLE, now, Interval.NONE, blockReason, t.resume);
                t.afterBlock = afterBlock;
            }
            case GO_DESTROY, GO_DESTROY_SYSCALL -> {
                T t = current(e);
                if (t != null) {
                    leave(t, now);
                    unmount(t, now, null, "", false);
                    endRegions(t, now);
                    threads.remove(t.info.id());
                    t.info.fixGroup();
                    out.threadEnd(t.info);
                }
            }
            case GO_SYSCALL_BEGIN -> {
                schedulingEvents++;
                T t = current(e);
                if (t != null) {
                    String why = t.pendingPin == null ? "" : t.pendingPin;
                    t.pendingPin = null;
                    enter(t, ThreadState.PINNED, now, e.m(), why, e.stack());
                    t.resume = e.stack();
                }
            }
            case GO_SYSCALL_END -> {
                T t = current(e);
                if (t != null) {
                    enter(t, ThreadState.RUNNING, now, e.m(), "", ParsedStack.EMPTY);
                }
            }
            case GO_SYSCALL_END_BLOCKED -> {
                T t = current(e);
                if (t != null) {
                    enter(t, ThreadState.RUNNABLE, now, Interval.NONE, UNPINNED, t.resume);
                }
            }
            case USER_LOG -> {
                if (PINNED_LOG_KEY.equals(e.name()) && e.g() != TraceEvent.NONE) {
                    thread(e.g()).pendingPin = e.message();
                }
            }
            case USER_TASK_BEGIN -> {
                long id = e.task();
                T t = e.g() == TraceEvent.NONE ? null : thread(e.g());
                OpenTask task = new OpenTask(e.name(), t);
                OpenTask was = openTasks.put(id, task);
                if (was != null) {
                    was.ended = true;
                }
                out.taskBegin(id, e.arg(1) <= 0 ? Interval.NONE : e.arg(1), e.name(), now, t == null ? null : t.info);
                if (t != null) {
                    split(t, now);
                    t.pushTask(id);
                    t.typeTask = id; // its intervals' task from now on, unless a region says otherwise
                    t.typeOf = task;
                }
            }
            case USER_TASK_END -> {
                long id = e.task();
                OpenTask task = openTasks.get(id);
                if (task != null) {
                    if (task.owner != null) {
                        split(task.owner, now); // the piece up to the end is still the task's
                        task.owner.removeTask(id);
                    }
                    openTasks.remove(id);
                    task.ended = true;
                    out.taskEnd(id, now);
                }
            }
            case USER_REGION_BEGIN -> {
                if (e.g() != TraceEvent.NONE) {
                    T t = thread(e.g());
                    split(t, now);
                    t.regions.push(new OpenRegion(e.task(), e.name(), now, e.stack()));
                }
            }
            case USER_REGION_END -> {
                if (e.g() != TraceEvent.NONE) {
                    T t = thread(e.g());
                    split(t, now);
                    if (!t.regions.isEmpty()) { // the validator checked it is the innermost one
                        OpenRegion r = t.regions.pop();
                        out.regionEnd(t.info, r.task(), r.name(), r.start(), now, r.stack(), true);
                    }
                }
            }
            default -> { }
        }
    }

    /** Ends the trace: emits every interval still open, cut at the last event's time. */
    public void finish() {
        finish(lastTime);
    }

    /**
     * Ends the trace at {@code end} (the last event's time if later): emits every interval, mount
     * and region still open, cut there.
     */
    public void finish(long end) {
        end = Math.max(end, lastTime);
        List<T> all = threads.values();
        all.sort((a, b) -> Long.compare(a.info.id(), b.info.id()));
        for (T t : all) {
            if (t.state != null) {
                emit(t, end, true, false, null);
                t.state = null;
            }
            unmount(t, end, null, "", true);
            endRegions(t, end);
            t.info.fixGroup();
            out.threadEnd(t.info);
        }
        threads.clear();
        onCarrier.clear();
    }

    /**
     * Forgets every thread, task and carrier without emitting anything: for a stream that lost
     * events (the live JFR bridge after a skipped generation), where what was open is unknown.
     * Later events meet the threads again as at the start of a trace.
     */
    public void reset() {
        threads.clear();
        onCarrier.clear();
        for (OpenTask o : openTasks.values()) {
            o.ended = true;
        }
        openTasks.clear();
        runnable = 0;
    }

    /**
     * True for a platform thread's own transitions: its G in a syscall on the M of its own id
     * (GoStatus, GoCreateSyscall: it enters running on itself), and the borrowing of its P around
     * an event (GoSyscallBegin, GoSyscallEndBlocked, GoStart on its own M), which leave it as it was.
     * {@code ownM}: the G the event places on the M of its own id ({@link TraceThreads#placedOnOwnM}), already marked a platform thread.
     */
    private boolean platformTransition(TraceEvent e, long ownM) {
        switch (e.type()) {
            case GO_STATUS, GO_STATUS_STACK -> {
                Transition tr = e.transition();
                if (tr.to() == Transition.State.SYSCALL && ownM != TraceEvent.NONE) {
                    T t = thread(tr.id());
                    if (t.state == null) {
                        enter(t, ThreadState.RUNNING, e.time(), e.arg(1), "", e.stack());
                        t.cutAtStart = true;
                        t.stateSince = Interval.NONE;
                    }
                    return true;
                }
                return false;
            }
            case GO_CREATE_SYSCALL -> {
                if (ownM == TraceEvent.NONE) {
                    return false;
                }
                schedulingEvents++;
                T t = new T(new ThreadInfo(e.arg(0), NO_START));
                t.info.markPlatform();
                T was = threads.put(e.arg(0), t);
                if (was != null) {
                    retire(was, e.time());
                }
                peakThreads = Math.max(peakThreads, threads.size());
                enter(t, ThreadState.RUNNING, e.time(), e.m(), "", ParsedStack.EMPTY);
                return true;
            }
            case GO_SYSCALL_BEGIN, GO_SYSCALL_END_BLOCKED -> {
                return TraceThreads.isPlatform(e.g(), e.m());
            }
            case GO_START -> {
                return ownM != TraceEvent.NONE;
            }
            default -> {
                return false;
            }
        }
    }

    /**
     * A thread replaced by a new one of the same id (its creation read after it was met): its open
     * interval ends here and it ends, so what it was charged with is counted with it.
     */
    private void retire(T was, long now) {
        if (was.state == null && !was.delivered) {
            return; // met, never delivered: nothing to count
        }
        leave(was, now);
        unmount(was, now, null, "", false);
        was.info.fixGroup();
        out.threadEnd(was.info);
    }

    private static ThreadState state(Transition.State s) {
        return switch (s) {
            case RUNNING -> ThreadState.RUNNING;
            case RUNNABLE -> ThreadState.RUNNABLE;
            case WAITING -> ThreadState.BLOCKED;
            case SYSCALL -> ThreadState.PINNED;
            default -> throw new IllegalArgumentException("not a thread state: " + s);
        };
    }

    private static String groupOf(ParsedStack start) {
        return start.isEmpty() ? NO_START : start.frames().get(0).function();
    }

    private T thread(long id) {
        T t = threads.getRecent(id);
        if (t == null) {
            t = new T(new ThreadInfo(id, NO_START));
            threads.put(id, t);
            peakThreads = Math.max(peakThreads, threads.size());
        }
        return t;
    }

    /** The thread running on the event's M (the event's G), or null. */
    private T current(TraceEvent e) {
        return e.g() == TraceEvent.NONE ? null : thread(e.g());
    }

    private void enter(T t, ThreadState s, long now, long carrier, String reason, ParsedStack stack) {
        leave(t, now);
        if (s == ThreadState.RUNNING || s == ThreadState.PINNED) {
            if (t.mountedOn == Interval.NONE && carrier != Interval.NONE && t.info.isVirtual()) {
                t.mountedOn = carrier;
                t.mountedSince = now;
                out.mounted(t.info, carrier, now);
            }
        } else {
            unmount(t, now, s, reason == null ? "" : reason, false);
        }
        t.state = s;
        t.afterBlock = false;
        t.since = now;
        t.stateSince = now;
        t.cutAtStart = false;
        t.carrier = carrier;
        String r = reason == null ? "" : reason;
        if (t.reason != r) { // (only when it changes: see emitPiece)
            t.reason = r;
        }
        if (t.stack != stack) {
            t.stack = stack;
        }
        if (s == ThreadState.RUNNABLE) {
            out.runnable(now, ++runnable);
        } else if (carrier != Interval.NONE) {
            onCarrier.put(carrier, t);
        }
    }

    /** Ends the thread's mount (if any) at {@code now}; {@code next} null: the thread or the trace ended. */
    private void unmount(T t, long now, ThreadState next, String nextReason, boolean cutAtEnd) {
        if (t.mountedOn != Interval.NONE) {
            out.unmounted(new Mount(t.info, t.mountedOn, t.mountedSince, now, next, nextReason, cutAtEnd));
            t.mountedOn = Interval.NONE;
        }
    }

    /** The thread ended (or the trace did): its open regions end with it, innermost first. */
    private void endRegions(T t, long now) {
        while (!t.regions.isEmpty()) {
            OpenRegion r = t.regions.pop();
            out.regionEnd(t.info, r.task(), r.name(), r.start(), now, r.stack(), false);
        }
    }

    /** Ends the thread's current interval (if any) at {@code now}. */
    private void leave(T t, long now) {
        if (t.state == null) {
            return;
        }
        emit(t, now, false, false, null);
        if (t.state == ThreadState.RUNNABLE) {
            out.runnable(now, --runnable);
        }
        if (t.carrier != Interval.NONE) {
            onCarrier.remove(t.carrier, t);
        }
        t.state = null;
    }

    /** Ends the current interval and starts the same state again: task or region changed. */
    private void split(T t, long now) {
        if (t.state != null && now > t.since) {
            emitPiece(t, now, false, false, null, true);
            t.since = now;
            t.cutAtStart = false;
        }
    }

    private void emit(T t, long end, boolean cutAtEnd, boolean unblocked, ThreadInfo by) {
        emitPiece(t, end, cutAtEnd, unblocked, by, false);
    }

    private void emitPiece(T t, long end, boolean cutAtEnd, boolean unblocked, ThreadInfo by, boolean continues) {
        t.info.fixGroup();
        t.delivered = true;
        long task = taskOf(t);
        IntervalView v = view;
        // A reference is stored only when it changes: the view lives in the old generation, where
        // G1's write barrier costs a memory fence per store of a reference (JDK 25).
        String type = typeOf(t, task);
        String region = t.regions.isEmpty() ? "" : t.regions.peek().name();
        if (v.thread != t.info) {
            v.thread = t.info;
        }
        if (v.state != t.state) {
            v.state = t.state;
        }
        if (v.reason != t.reason) {
            v.reason = t.reason;
        }
        if (v.stack != t.stack) {
            v.stack = t.stack;
        }
        if (v.unblocker != by) {
            v.unblocker = by;
        }
        if (v.taskType != type) {
            v.taskType = type;
        }
        if (v.region != region) {
            v.region = region;
        }
        v.start = t.since;
        v.end = end;
        v.carrier = t.carrier;
        v.unblocked = unblocked || (t.state == ThreadState.RUNNABLE && t.afterBlock);
        v.task = task;
        v.cutAtStart = t.cutAtStart;
        v.cutAtEnd = cutAtEnd;
        v.stateStart = t.stateSince;
        v.continues = continues;
        out.interval(v);
    }

    /** The type of {@code task} (the task of {@code t}), "" if it is not open; remembered per thread until it ends. */
    private String typeOf(T t, long task) {
        if (task == Interval.NONE) {
            return "";
        }
        OpenTask o = t.typeOf;
        if (t.typeTask != task || o == null || o.ended) {
            o = openTasks.get(task);
            t.typeTask = task;
            t.typeOf = o;
        }
        return o == null ? "" : o.type;
    }

    private long taskOf(T t) {
        if (!t.regions.isEmpty()) { // (no iterator made for a thread without regions: most intervals)
            for (OpenRegion r : t.regions) {
                if (r.task() > 0) {
                    return r.task();
                }
            }
        }
        return t.taskCount == 0 ? Interval.NONE : t.tasks[t.taskCount - 1];
    }
}
