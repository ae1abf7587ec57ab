package dev.loomtracer.jfr.model;

import static dev.loomtracer.format.EventType.*;

import dev.loomtracer.parse.ParsedStack;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.Transition;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Pairs the trace's events into {@link Episode}s: mount/unmount into runs, block/unblock into
 * parks, syscall begin/end into pinned episodes, begin/end of tasks and regions, plus instants
 * (unparks, logs, CPU samples). Feed it the events of a {@link dev.loomtracer.parse.TraceParser}
 * in order; state carries across generations; {@link #finish} closes what is still open.
 *
 * <p>The mapping, one episode per trace event so counts can be checked:
 * <ul>
 * <li>{@link Episode.Run}: one per transition into Running from not running (GoStart, a G seen
 *     Running or in a syscall when first met);</li>
 * <li>{@link Episode.Park}: one per GoBlock; {@link Episode.Unpark}: one per GoUnblock (and
 *     GoSwitch);</li>
 * <li>{@link Episode.Pinned}: one per GoSyscallBegin; its reason is the message of a user log
 *     whose category contains "pin", written on the same thread immediately before;</li>
 * <li>{@link Episode.Task}: one per UserTaskBegin; {@link Episode.Region}: one per
 *     UserRegionBegin; {@link Episode.Log}: one per UserLog; {@link Episode.CpuSample}: one per
 *     CPUSample; {@link Episode.Gc}: one per GCBegin; {@link Episode.StopTheWorld}: one per
 *     STWBegin.</li>
 * </ul>
 * Ends without a begin in the trace (a task begun before tracing started, say) produce nothing.
 * A platform thread that emitted events (a G met on the M of its own id: docs/FORMAT.md, "Names
 * and platform threads") gets no runs and no pinned blocks: they describe virtual threads, and a
 * platform thread's G sits in a syscall between its events. Its unparks, tasks, regions and logs
 * are episodes as anyone's.
 *
 * <p>Invariant: an episode is emitted exactly once, when it ends (or at {@link #finish});
 * emitted times never decrease within an episode.
 */
public final class EpisodeBuilder implements Consumer<TraceEvent> {
    private enum GS { RUNNABLE, RUNNING, SYSCALL, WAITING }

    private static final class G {
        final long id;
        GS state;
        long runStart = -1;
        long runM = Episode.NONE;
        long runP = Episode.NONE;
        long parkStart = -1;
        String parkReason;
        ParsedStack parkStack;
        long sysStart = -1;
        long sysM;
        String sysReason;
        ParsedStack sysStack;
        String pendingPin;
        final ArrayDeque<OpenRegion> regions = new ArrayDeque<>();

        G(long id, GS state) {
            this.id = id;
            this.state = state;
        }
    }

    private record OpenRegion(long task, String name, long start, ParsedStack stack) {}

    private record OpenTask(long parent, String name, long thread, long start, ParsedStack stack) {}

    private final EpisodeListener out;
    private final Map<Long, G> gs = new HashMap<>();
    private final Map<Long, OpenTask> tasks = new HashMap<>();
    private final Set<Long> carriers = new HashSet<>();
    private final Set<Long> hosts = new HashSet<>();
    /** Platform threads that emitted events: Gs met on the M of their own id. */
    private final Set<Long> platform = new HashSet<>();
    private final Map<Long, Long> mProc = new HashMap<>();
    private final Map<String, long[]> stw = new HashMap<>(); // kind + G -> {start, g}
    private long gcSeq = -1;
    private long gcStart = -1;
    private long lastTime;
    private long events;
    private boolean monotonic;
    private long clampLast;

    public EpisodeBuilder(EpisodeListener out) {
        this.out = out;
    }

    /** True if {@code id} was seen as an M (a carrier or a platform thread emitting events). */
    public boolean isCarrier(long id) {
        return carriers.contains(id);
    }

    /**
     * For events parsed one generation at a time (the live bridge): makes times strictly
     * increasing across generations exactly as a parser of the whole stream does
     * ({@code TraceParser} moves an event that is not later than the previous one to just after
     * it, and a generation's Sync counts as one such event), so live and offline agree. Call
     * {@link #sync()} for each Sync event.
     */
    public void monotonicAcrossGenerations() {
        this.monotonic = true;
    }

    /** A Sync event (end of a generation) in monotonic mode. */
    public void sync() {
        clampLast++;
    }

    /** True if {@code id} was seen as an M running another thread (a carrier of virtual threads). */
    public boolean ranOthers(long id) {
        return hosts.contains(id);
    }

    /** The latest event time seen (trace ns). */
    public long lastTime() {
        return lastTime;
    }

    /** Events accepted so far (Sync events included). */
    public long events() {
        return events;
    }

    @Override
    public void accept(TraceEvent e) {
        events++;
        long t = e.time();
        if (monotonic) {
            if (t <= clampLast) {
                t = clampLast + 1;
            }
            clampLast = t;
        }
        lastTime = Math.max(lastTime, t);
        if (e.g() != TraceEvent.NONE && e.g() == e.m()) {
            platform.add(e.g());
        }
        if (e.m() != TraceEvent.NONE) {
            carriers.add(e.m());
            if (e.p() != TraceEvent.NONE) {
                mProc.put(e.m(), e.p());
            }
        }
        switch (e.type()) {
            case GO_STATUS, GO_STATUS_STACK -> status(e, t);
            case GO_CREATE -> create(e.arg(0), GS.RUNNABLE);
            case GO_CREATE_BLOCKED -> create(e.arg(0), GS.WAITING);
            case GO_CREATE_SYSCALL -> {
                // A thread that enters the trace in a syscall (Go: a cgo callback): it runs, but
                // its syscall began outside the trace, so there is no pinned episode to pair.
                if (e.arg(0) == e.m()) {
                    platform.add(e.arg(0));
                }
                G g = create(e.arg(0), GS.SYSCALL);
                startRun(g, t, e.m(), TraceEvent.NONE);
            }
            case GO_START -> {
                if (e.arg(0) == e.m()) {
                    platform.add(e.arg(0));
                }
                G g = g(e.arg(0), GS.RUNNABLE);
                g.pendingPin = null;
                closePark(g, t, Episode.NONE, Episode.NONE); // a start without unblock (never in a valid trace)
                startRun(g, t, e.m(), e.p());
            }
            case GO_STOP -> {
                G g = cur(e);
                if (g != null) {
                    endRun(g, t, "yield: " + e.reason());
                    g.state = GS.RUNNABLE;
                }
            }
            case GO_BLOCK -> {
                G g = cur(e);
                if (g != null) {
                    endRun(g, t, "park: " + e.reason());
                    g.state = GS.WAITING;
                    g.parkStart = t;
                    g.parkReason = e.reason();
                    g.parkStack = e.stack();
                }
            }
            case GO_UNBLOCK, GO_SWITCH, GO_SWITCH_DESTROY -> {
                long target = e.arg(0);
                out.episode(new Episode.Unpark(t, target, e.g(), e.m(), e.stack()));
                G g = g(target, GS.WAITING);
                closePark(g, t, e.g(), e.m());
                g.state = GS.RUNNABLE;
            }
            case GO_DESTROY -> {
                G g = cur(e);
                if (g != null) {
                    endRun(g, t, "exit");
                    closeRegions(g, t, false);
                    gs.remove(g.id);
                }
            }
            case GO_SYSCALL_BEGIN -> {
                G g = cur(e);
                if (g != null && platform.contains(g.id)) {
                    g.state = GS.SYSCALL; // back in its own code between events: nothing is pinned
                    g.pendingPin = null;
                } else if (g != null) {
                    g.state = GS.SYSCALL;
                    g.sysStart = t;
                    g.sysM = e.m();
                    g.sysReason = g.pendingPin == null ? "" : g.pendingPin;
                    g.sysStack = e.stack();
                    g.pendingPin = null;
                }
            }
            case GO_SYSCALL_END -> {
                G g = cur(e);
                if (g != null) {
                    closeSyscall(g, t, true);
                    g.state = GS.RUNNING;
                }
            }
            case GO_SYSCALL_END_BLOCKED, GO_DESTROY_SYSCALL -> {
                G g = cur(e);
                if (g != null) {
                    closeSyscall(g, t, true);
                    if (e.type() == GO_DESTROY_SYSCALL) {
                        endRun(g, t, "exit");
                        closeRegions(g, t, false);
                        gs.remove(g.id);
                    } else {
                        endRun(g, t, "unmounted after a pinned block");
                        g.state = GS.RUNNABLE;
                    }
                }
            }
            case USER_TASK_BEGIN -> {
                OpenTask old = tasks.put(e.task(), new OpenTask(e.parentTask(), e.name(), e.g(), t, e.stack()));
                if (old != null) {
                    emitTask(e.task(), old, t, false); // id reused before its end: close the old one
                }
                clearPin(e);
            }
            case USER_TASK_END -> {
                OpenTask open = tasks.remove(e.task());
                if (open != null) {
                    emitTask(e.task(), open, t, true);
                }
                clearPin(e);
            }
            case USER_REGION_BEGIN -> {
                G g = gOf(e);
                if (g != null) {
                    g.regions.push(new OpenRegion(e.task(), e.name(), t, e.stack()));
                    g.pendingPin = null;
                }
            }
            case USER_REGION_END -> {
                G g = gOf(e);
                if (g != null) {
                    endRegion(g, e.name(), t);
                    g.pendingPin = null;
                }
            }
            case USER_LOG -> {
                out.episode(new Episode.Log(t, e.g(), e.m(), e.task(), e.name(), e.message(), e.stack()));
                G g = gOf(e);
                if (g != null) {
                    String cat = e.name() == null ? "" : e.name().toLowerCase(Locale.ROOT);
                    g.pendingPin = cat.contains("pin") ? e.message() : null;
                }
            }
            case CPU_SAMPLE -> out.episode(new Episode.CpuSample(t, e.g(), e.m(), e.stack()));
            case GC_BEGIN, GC_ACTIVE -> {
                if (gcStart >= 0 && e.type() == GC_BEGIN) {
                    out.episode(new Episode.Gc(gcSeq, gcStart, t, false));
                }
                if (e.type() == GC_BEGIN || gcStart < 0) {
                    gcSeq = e.arg(0);
                    gcStart = t;
                }
            }
            case GC_END -> {
                if (gcStart >= 0) {
                    out.episode(new Episode.Gc(gcSeq, gcStart, t, true));
                    gcStart = -1;
                }
            }
            case STW_BEGIN -> stw.put(e.reason() + "\0" + e.g(), new long[] {t, e.g()});
            case STW_END -> {
                long[] open = stw.remove(e.reason() + "\0" + e.g());
                if (open != null) {
                    out.episode(new Episode.StopTheWorld(e.reason(), e.g(), open[0], t, true));
                }
            }
            default -> { }
        }
    }

    /** A status: introduces a G first met here, or re-states a known one. */
    private void status(TraceEvent e, long t) {
        Transition tr = e.transition();
        long id = e.arg(0);
        GS to = switch (tr.to()) {
            case RUNNING -> GS.RUNNING;
            case SYSCALL -> GS.SYSCALL;
            case WAITING -> GS.WAITING;
            default -> GS.RUNNABLE;
        };
        long m = e.arg(1);
        G g = gs.get(id);
        if (id == m) {
            platform.add(id);
        }
        boolean runs = to == GS.RUNNING || to == GS.SYSCALL;
        if (g == null) {
            g = new G(id, to);
            gs.put(id, g);
            if (runs) {
                carriers.add(m);
                startRun(g, t, m, procOf(e, m));
            }
            return;
        }
        if (g.state == to) {
            return;
        }
        // The trace disagrees with what we inferred (a generation was skipped): adopt its view.
        if (g.state == GS.RUNNING || g.state == GS.SYSCALL) {
            closeSyscall(g, t, false);
            endRun(g, t, "unknown");
        }
        if (g.state == GS.WAITING && to != GS.WAITING) {
            closePark(g, t, Episode.NONE, Episode.NONE);
        }
        g.state = to;
        if (runs) {
            startRun(g, t, m, procOf(e, m));
        }
    }

    private long procOf(TraceEvent e, long m) {
        if (e.m() == m && e.p() != TraceEvent.NONE) {
            return e.p();
        }
        return mProc.getOrDefault(m, Episode.NONE);
    }

    private G create(long id, GS state) {
        G g = new G(id, state);
        G old = gs.put(id, g);
        if (old != null && old.runStart >= 0) {
            endRun(old, lastTime, "exit");
        }
        return g;
    }

    private G g(long id, GS ifNew) {
        return gs.computeIfAbsent(id, k -> new G(k, ifNew));
    }

    /** The G running on the event's M. */
    private G cur(TraceEvent e) {
        return e.g() == TraceEvent.NONE ? null : g(e.g(), GS.RUNNING);
    }

    private G gOf(TraceEvent e) {
        return e.g() == TraceEvent.NONE ? null : g(e.g(), GS.RUNNING);
    }

    private void clearPin(TraceEvent e) {
        G g = e.g() == TraceEvent.NONE ? null : gs.get(e.g());
        if (g != null) {
            g.pendingPin = null;
        }
    }

    private void startRun(G g, long t, long m, long p) {
        if (g.runStart >= 0 || platform.contains(g.id)) {
            return;
        }
        g.state = g.state == GS.SYSCALL ? GS.SYSCALL : GS.RUNNING;
        g.runStart = t;
        if (m != Episode.NONE && m != g.id) {
            hosts.add(m);
        }
        g.runM = m;
        g.runP = p;
    }

    private void endRun(G g, long t, String reason) {
        if (g.runStart < 0) {
            return;
        }
        out.episode(new Episode.Run(g.id, g.runM, g.runP, g.runStart, Math.max(t, g.runStart), reason, true));
        g.runStart = -1;
    }

    private void closePark(G g, long t, long unparker, long carrier) {
        if (g.parkStart < 0) {
            return;
        }
        out.episode(new Episode.Park(g.id, g.parkStart, Math.max(t, g.parkStart), g.parkReason,
                blockerOf(g.parkReason), g.parkStack, unparker, carrier, true));
        g.parkStart = -1;
        g.parkReason = null;
        g.parkStack = null;
    }

    private void closeSyscall(G g, long t, boolean complete) {
        if (g.sysStart < 0) {
            return;
        }
        out.episode(new Episode.Pinned(g.id, g.sysM, g.sysStart, Math.max(t, g.sysStart), g.sysReason,
                g.sysStack, complete));
        g.sysStart = -1;
    }

    private void endRegion(G g, String name, long t) {
        for (Iterator<OpenRegion> it = g.regions.iterator(); it.hasNext(); ) {
            OpenRegion r = it.next();
            if (r.name().equals(name)) {
                it.remove();
                out.episode(new Episode.Region(r.task(), r.name(), g.id, r.start(), Math.max(t, r.start()), r.stack(), true));
                return;
            }
        }
        // An end whose begin precedes the trace: nothing to pair it with.
    }

    private void closeRegions(G g, long t, boolean complete) {
        while (!g.regions.isEmpty()) {
            OpenRegion r = g.regions.pop();
            out.episode(new Episode.Region(r.task(), r.name(), g.id, r.start(), Math.max(t, r.start()), r.stack(), complete));
        }
    }

    private void emitTask(long id, OpenTask t, long end, boolean complete) {
        out.episode(new Episode.Task(id, t.parent(), t.name(), t.thread(), t.start(), Math.max(end, t.start()), t.stack(), complete));
    }

    /**
     * Closes everything still open at {@code end} (the last time of the trace) as incomplete.
     * The builder can be reused afterwards as if new.
     */
    public void finish(long end) {
        end = Math.max(end, lastTime);
        List<G> all = new ArrayList<>(gs.values());
        all.sort((a, b) -> Long.compare(a.id, b.id));
        for (G g : all) {
            if (g.sysStart >= 0) {
                closeSyscall(g, end, false);
            }
            if (g.runStart >= 0) {
                out.episode(new Episode.Run(g.id, g.runM, g.runP, g.runStart, Math.max(end, g.runStart), "trace ended", false));
                g.runStart = -1;
            }
            if (g.parkStart >= 0) {
                out.episode(new Episode.Park(g.id, g.parkStart, Math.max(end, g.parkStart), g.parkReason,
                        blockerOf(g.parkReason), g.parkStack, Episode.NONE, Episode.NONE, false));
                g.parkStart = -1;
            }
            closeRegions(g, end, false);
        }
        List<Map.Entry<Long, OpenTask>> open = new ArrayList<>(tasks.entrySet());
        open.sort(Map.Entry.comparingByKey());
        for (Map.Entry<Long, OpenTask> t : open) {
            emitTask(t.getKey(), t.getValue(), end, false);
        }
        if (gcStart >= 0) {
            out.episode(new Episode.Gc(gcSeq, gcStart, Math.max(end, gcStart), false));
        }
        for (Map.Entry<String, long[]> s : stw.entrySet()) {
            String kind = s.getKey().substring(0, s.getKey().indexOf('\0'));
            out.episode(new Episode.StopTheWorld(kind, s.getValue()[1], s.getValue()[0], Math.max(end, s.getValue()[0]), false));
        }
        reset();
    }

    /** Forgets all state (for a live stream that skipped generations). */
    public void reset() {
        gs.clear();
        tasks.clear();
        stw.clear();
        mProc.clear();
        gcStart = -1;
    }

    /** The blocker class a park reason names ({@link dev.loomtracer.format.BlockReasons#blocker}), else "". */
    public static String blockerOf(String reason) {
        String b = dev.loomtracer.format.BlockReasons.blocker(reason);
        return b == null ? "" : b;
    }
}
