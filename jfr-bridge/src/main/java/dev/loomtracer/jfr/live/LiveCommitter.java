package dev.loomtracer.jfr.live;

import dev.loomtracer.jfr.events.LogEvent;
import dev.loomtracer.jfr.events.RegionEvent;
import dev.loomtracer.jfr.events.TaskEvent;
import dev.loomtracer.jfr.events.VirtualThreadParkEvent;
import dev.loomtracer.jfr.events.VirtualThreadPinnedEvent;
import dev.loomtracer.jfr.events.VirtualThreadRunEvent;
import dev.loomtracer.jfr.events.VirtualThreadUnparkEvent;
import dev.loomtracer.jfr.model.Episode;

import jdk.jfr.Event;

import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.Map;

/**
 * Commits {@link Episode}s as the bridge's JFR events, with explicit start times and durations
 * mapped from the trace clock through {@code System.nanoTime()} to JFR's clock.
 *
 * <p>Invariants: only types enabled in a running recording are built ({@link #refreshEnabled},
 * once per generation); an episode is committed at most once; {@code eventThread} of these
 * events is the bridge thread (JFR stamps the committing thread), so the thread an event is about
 * is in its id fields; carrier {@code Thread} fields are filled when the carrier is still alive.
 */
final class LiveCommitter {
    private final JfrTime time;
    private final Map<Long, WeakReference<Thread>> platformThreads = new HashMap<>();
    private boolean refreshedThreads;
    /** System.nanoTime() at trace time 0. */
    private long nanoTimeAtTraceZero;

    private boolean run;
    private boolean park;
    private boolean unpark;
    private boolean pinned;
    private boolean task;
    private boolean region;
    private boolean log;
    final Map<String, Long> committed = new java.util.TreeMap<>();

    LiveCommitter(JfrTime time) {
        this.time = time;
    }

    void setTraceClock(long nanoTimeAtTraceZero) {
        this.nanoTimeAtTraceZero = nanoTimeAtTraceZero;
    }

    /** Reads which of the types are enabled now; true if any is. One cheap check per type. */
    boolean refreshEnabled() {
        run = new VirtualThreadRunEvent().isEnabled();
        park = new VirtualThreadParkEvent().isEnabled();
        unpark = new VirtualThreadUnparkEvent().isEnabled();
        pinned = new VirtualThreadPinnedEvent().isEnabled();
        task = new TaskEvent().isEnabled();
        region = new RegionEvent().isEnabled();
        log = new LogEvent().isEnabled();
        refreshedThreads = false;
        return run || park || unpark || pinned || task || region || log;
    }

    /** True if any of the bridged event types is enabled in a running recording (loads and registers them). */
    static boolean anyBridgedTypeEnabled() {
        return new VirtualThreadRunEvent().isEnabled() || new VirtualThreadParkEvent().isEnabled()
                || new VirtualThreadUnparkEvent().isEnabled() || new VirtualThreadPinnedEvent().isEnabled()
                || new TaskEvent().isEnabled() || new RegionEvent().isEnabled() || new LogEvent().isEnabled();
    }

    private static long id(long x) {
        return x == Episode.NONE ? 0 : x;
    }

    private Thread platformThread(long id) {
        if (id <= 0) {
            return null;
        }
        WeakReference<Thread> ref = platformThreads.get(id);
        Thread t = ref == null ? null : ref.get();
        if (t == null && !refreshedThreads) {
            refreshedThreads = true; // at most one walk of the live threads per generation
            ThreadGroup root = Thread.currentThread().getThreadGroup();
            while (root.getParent() != null) {
                root = root.getParent();
            }
            Thread[] all = new Thread[root.activeCount() + 16];
            int n = root.enumerate(all, true);
            platformThreads.clear();
            for (int i = 0; i < n; i++) {
                platformThreads.put(all[i].threadId(), new WeakReference<>(all[i]));
            }
            ref = platformThreads.get(id);
            t = ref == null ? null : ref.get();
        }
        return t;
    }

    private void commit(Event e, String type, Episode ep) {
        time.set(e, nanoTimeAtTraceZero + ep.start(), ep.duration());
        e.commit();
        committed.merge(type, 1L, Long::sum);
    }

    void commit(Episode episode) {
        switch (episode) {
            case Episode.Run r -> {
                if (run) {
                    VirtualThreadRunEvent e = new VirtualThreadRunEvent();
                    e.virtualThreadId = r.thread();
                    e.carrierThread = platformThread(r.carrier());
                    e.carrierThreadId = id(r.carrier());
                    e.processor = r.proc();
                    e.endReason = r.endReason();
                    e.complete = r.complete();
                    commit(e, "dev.loomtracer.VirtualThreadRun", r);
                }
            }
            case Episode.Park p -> {
                if (park) {
                    VirtualThreadParkEvent e = new VirtualThreadParkEvent();
                    e.virtualThreadId = p.thread();
                    e.reason = p.reason();
                    e.blocker = p.blocker();
                    e.unparkerThreadId = id(p.unparker());
                    e.unparkerCarrierId = id(p.unparkerCarrier());
                    e.complete = p.complete();
                    commit(e, "dev.loomtracer.VirtualThreadPark", p);
                }
            }
            case Episode.Unpark u -> {
                if (unpark) {
                    VirtualThreadUnparkEvent e = new VirtualThreadUnparkEvent();
                    e.virtualThreadId = u.target();
                    e.unparkerThreadId = id(u.unparker());
                    e.carrierThreadId = id(u.carrier());
                    commit(e, "dev.loomtracer.VirtualThreadUnpark", u);
                }
            }
            case Episode.Pinned p -> {
                if (pinned) {
                    VirtualThreadPinnedEvent e = new VirtualThreadPinnedEvent();
                    e.virtualThreadId = p.thread();
                    e.carrierThread = platformThread(p.carrier());
                    e.carrierThreadId = id(p.carrier());
                    e.pinnedReason = p.reason();
                    e.complete = p.complete();
                    commit(e, "dev.loomtracer.VirtualThreadPinned", p);
                }
            }
            case Episode.Task t -> {
                if (task) {
                    TaskEvent e = new TaskEvent();
                    e.taskId = t.id();
                    e.parentTaskId = id(t.parent());
                    e.taskName = t.name();
                    e.threadId = id(t.thread());
                    e.complete = t.complete();
                    commit(e, "dev.loomtracer.Task", t);
                }
            }
            case Episode.Region r -> {
                if (region) {
                    RegionEvent e = new RegionEvent();
                    e.taskId = id(r.task());
                    e.regionName = r.name();
                    e.threadId = id(r.thread());
                    e.complete = r.complete();
                    commit(e, "dev.loomtracer.Region", r);
                }
            }
            case Episode.Log l -> {
                if (log) {
                    LogEvent e = new LogEvent();
                    e.taskId = id(l.task());
                    e.category = l.category();
                    e.message = l.message();
                    e.threadId = id(l.thread());
                    commit(e, "dev.loomtracer.Log", l);
                }
            }
            default -> { } // CPU samples and GC: JFR records its own
        }
    }
}
