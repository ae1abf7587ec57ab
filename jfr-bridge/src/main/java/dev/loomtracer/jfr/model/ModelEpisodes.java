package dev.loomtracer.jfr.model;

import static dev.loomtracer.format.EventType.*;

import dev.loomtracer.analysis.Interval;
import dev.loomtracer.analysis.ModelListener;
import dev.loomtracer.analysis.Mount;
import dev.loomtracer.analysis.ThreadInfo;
import dev.loomtracer.analysis.ThreadModel;
import dev.loomtracer.analysis.ThreadState;
import dev.loomtracer.parse.ParsedStack;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.Transition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The JFR mapping of the analysis model: what {@link ThreadModel} (the one home of what a thread
 * was doing between two events, docs/ANALYSIS.md) derives, as {@link Episode}s: its mounts become
 * runs, its blocks parks, its pinned blocks pinned episodes, its regions and tasks regions and
 * tasks; the trace's instants (unparks, logs, CPU samples) and its GC and stop-the-world ranges,
 * which are no thread's state, are added from the events. Feed it the events of a
 * {@link dev.loomtracer.parse.TraceParser} in order; state carries across generations;
 * {@link #finish} closes what is still open.
 *
 * <p>The mapping, one episode per trace event so counts can be checked:
 * <ul>
 * <li>{@link Episode.Run}: one per {@link Mount} (a virtual thread put on a carrier: GoStart, or met
 *     running or pinned); {@code proc} is the P of the event that mounted it;</li>
 * <li>{@link Episode.Park}: one per block whose GoBlock is in the trace; {@link Episode.Unpark}:
 *     one per GoUnblock (and GoSwitch);</li>
 * <li>{@link Episode.Pinned}: one per pinned block whose GoSyscallBegin is in the trace, with the
 *     reason the capture layer logged ({@link ThreadModel#PINNED_LOG_KEY});</li>
 * <li>{@link Episode.Task}: one per UserTaskBegin; {@link Episode.Region}: one per
 *     UserRegionBegin; {@link Episode.Log}: one per UserLog; {@link Episode.CpuSample}: one per
 *     CPUSample; {@link Episode.Gc}: one per GCBegin; {@link Episode.StopTheWorld}: one per
 *     STWBegin.</li>
 * </ul>
 * Ends without a begin in the trace (a task begun before tracing started, a thread met blocked)
 * produce nothing. Platform threads (docs/FORMAT.md, "Names and platform threads") have no mounts,
 * so no runs and no pinned blocks; their unparks, tasks, regions and logs are episodes as anyone's.
 *
 * <p>Invariant: an episode is emitted exactly once, when it ends (or at {@link #finish}); it
 * holds no thread state of its own beyond what an episode needs until its end (a run's P, an open
 * task's name and stack, an open GC or stop-the-world range).
 */
public final class ModelEpisodes implements Consumer<TraceEvent> {
    private record OpenTask(long parent, String name, long thread, long start, ParsedStack stack) {}

    private final EpisodeListener out;
    private final ThreadModel model;
    private final Map<Long, OpenTask> tasks = new HashMap<>();
    /** Ids seen as an M (carriers, and platform threads emitting events). */
    private final Set<Long> ms = new HashSet<>();
    private final Map<Long, Long> mProc = new HashMap<>();
    private final Map<Long, Long> runProc = new HashMap<>();
    private final Map<String, long[]> stw = new HashMap<>(); // kind + G -> {start, g}
    private TraceEvent current;
    private long gcSeq = -1;
    private long gcStart = -1;
    private long lastTime;

    public ModelEpisodes(EpisodeListener out) {
        this.out = out;
        this.model = new ThreadModel(new Listener());
    }

    /** True if {@code id} was seen as an M (a carrier or a platform thread emitting events). */
    public boolean isCarrier(long id) {
        return ms.contains(id);
    }

    /** The latest event time seen (trace ns). */
    public long lastTime() {
        return lastTime;
    }

    @Override
    public void accept(TraceEvent e) {
        if (e.isSync()) {
            return;
        }
        current = e;
        long t = e.time();
        lastTime = Math.max(lastTime, t);
        if (e.m() != TraceEvent.NONE) {
            ms.add(e.m());
            if (e.p() != TraceEvent.NONE) {
                mProc.put(e.m(), e.p());
            }
        }
        switch (e.type()) {
            case GO_STATUS, GO_STATUS_STACK -> {
                Transition.State to = e.transition().to();
                if ((to == Transition.State.RUNNING || to == Transition.State.SYSCALL) && e.arg(1) != TraceEvent.NONE) {
                    ms.add(e.arg(1));
                }
            }
            case GO_UNBLOCK, GO_SWITCH, GO_SWITCH_DESTROY ->
                    out.episode(new Episode.Unpark(t, e.arg(0), e.g(), e.m(), e.stack()));
            case USER_LOG -> out.episode(new Episode.Log(t, e.g(), e.m(), e.task(), e.name(), e.message(), e.stack()));
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
        model.accept(e);
    }

    /**
     * Closes everything still open at {@code end} (the last time of the trace, if later) as
     * incomplete. The instance can be reused afterwards as if new.
     */
    public void finish(long end) {
        end = Math.max(end, lastTime);
        model.finish(end);
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

    /** Forgets what is open, emitting nothing (for a live stream that skipped generations). */
    public void reset() {
        model.reset();
        tasks.clear();
        stw.clear();
        mProc.clear();
        runProc.clear();
        gcStart = -1;
    }

    private void emitTask(long id, OpenTask t, long end, boolean complete) {
        out.episode(new Episode.Task(id, t.parent(), t.name(), t.thread(), t.start(), Math.max(end, t.start()), t.stack(), complete));
    }

    /** The P the carrier held at the event that mounted a thread on it (none for a thread created in a syscall). */
    private long procAtMount(long carrier) {
        TraceEvent e = current;
        return switch (e.type()) {
            case GO_START -> e.p();
            case GO_CREATE_SYSCALL -> Episode.NONE;
            default -> e.m() == carrier && e.p() != TraceEvent.NONE ? e.p() : mProc.getOrDefault(carrier, Episode.NONE);
        };
    }

    /** The blocker class a park reason names ({@link dev.loomtracer.format.BlockReasons#blocker}), else "". */
    public static String blockerOf(String reason) {
        String b = dev.loomtracer.format.BlockReasons.blocker(reason);
        return b == null ? "" : b;
    }

    /** What the model derives, as episodes; called while the model reads {@link #current}. */
    private final class Listener implements ModelListener {
        @Override
        public void interval(Interval i) {
            if (!i.endsState() || i.stateStart() == Interval.NONE) {
                return; // a piece of a state that goes on, or a state whose beginning the trace did not show
            }
            long id = i.thread().id();
            if (i.state() == ThreadState.BLOCKED) {
                // Ended by an unblock: the event being read is that unblock, and its M the unparker's carrier.
                long by = i.unblocked() && i.unblocker() != null ? i.unblocker().id() : Episode.NONE;
                long carrier = i.unblocked() && !i.cutAtEnd() ? current.m() : Episode.NONE;
                out.episode(new Episode.Park(id, i.stateStart(), i.end(), i.reason(), blockerOf(i.reason()), i.stack(),
                        by, carrier, !i.cutAtEnd()));
            } else if (i.state() == ThreadState.PINNED) {
                out.episode(new Episode.Pinned(id, i.carrier(), i.stateStart(), i.end(), i.reason(), i.stack(), !i.cutAtEnd()));
            }
        }

        @Override
        public void mounted(ThreadInfo thread, long carrier, long time) {
            runProc.put(thread.id(), procAtMount(carrier));
        }

        @Override
        public void unmounted(Mount m) {
            Long proc = runProc.remove(m.thread().id());
            String why;
            if (m.cutAtEnd()) {
                why = "trace ended";
            } else if (m.next() == null) {
                why = "exit";
            } else if (m.next() == ThreadState.BLOCKED) {
                why = "park: " + m.nextReason();
            } else if (ThreadModel.UNPINNED.equals(m.nextReason())) {
                why = "unmounted after a pinned block";
            } else {
                why = "yield: " + m.nextReason();
            }
            out.episode(new Episode.Run(m.thread().id(), m.carrier(), proc == null ? Episode.NONE : proc, m.start(), m.end(),
                    why, !m.cutAtEnd()));
        }

        @Override
        public void regionEnd(ThreadInfo thread, long task, String name, long start, long end, ParsedStack stack,
                              boolean ended) {
            out.episode(new Episode.Region(task, name, thread.id(), start, end, stack, ended));
        }

        @Override
        public void taskBegin(long id, long parent, String type, long time, ThreadInfo thread) {
            // The event being read is the UserTaskBegin: its stack is where the task began.
            OpenTask old = tasks.put(id, new OpenTask(parent, type, thread == null ? Episode.NONE : thread.id(), time,
                    current.stack()));
            if (old != null) {
                emitTask(id, old, time, false); // id reused before its end: close the old one
            }
        }

        @Override
        public void taskEnd(long id, long time) {
            OpenTask open = tasks.remove(id);
            if (open != null) {
                emitTask(id, open, time, true);
            }
        }
    }
}
