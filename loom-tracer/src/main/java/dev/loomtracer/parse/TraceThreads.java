package dev.loomtracer.parse;

import dev.loomtracer.format.EventType;
import dev.loomtracer.format.ThreadIdentity;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Who the threads of a trace are: each thread's name, and which ids are virtual threads, carriers
 * and platform threads. Feed it the events of a {@link TraceParser} in order (it is a
 * {@code Consumer<TraceEvent>}, like {@link TraceSummary}).
 *
 * <p>The rules (docs/FORMAT.md, "Names and platform threads"): a GoLabel names the G it runs on;
 * a {@link ThreadIdentity#CARRIER_LOG} log names its M and marks it a carrier; a platform thread
 * that emitted events is a G whose id is that of the M it runs (or sits in a syscall) on; every
 * other M is a carrier; every other G a virtual thread. The tracer's own synthetic ids are none
 * of these. The platform-thread rule lives here alone ({@link #isPlatform}, {@link #placedOnOwnM}):
 * the analysis model asks it too. Invariant: {@link #name} is the latest name the trace gave the
 * id so far, or null when the trace never named it (a gap, never a guess).
 */
public final class TraceThreads implements Consumer<TraceEvent> {
    private final Map<Long, String> names = new HashMap<>();
    private final Set<Long> ms = new HashSet<>();
    private final Set<Long> gs = new HashSet<>();
    private final Set<Long> platform = new HashSet<>();
    private final Set<Long> namedCarriers = new HashSet<>();

    @Override
    public void accept(TraceEvent e) {
        if (e.isSync()) {
            return;
        }
        long m = e.m();
        long g = e.g();
        if (ThreadIdentity.isJavaThread(m)) {
            ms.add(m);
        }
        if (ThreadIdentity.isJavaThread(g)) {
            gs.add(g);
        }
        if (isPlatform(g, m)) {
            platform.add(g);
        }
        long own = placedOnOwnM(e);
        if (own != TraceEvent.NONE) {
            platform.add(own);
            ms.add(own);
        }
        Transition t = e.transition();
        if (t != null && t.resource() == Transition.Resource.GOROUTINE && ThreadIdentity.isJavaThread(t.id())) {
            gs.add(t.id());
        }
        switch (e.type()) {
            case EventType.GO_LABEL -> {
                if (ThreadIdentity.isJavaThread(g)) {
                    names.put(g, e.name());
                }
            }
            case EventType.USER_LOG -> {
                if (ThreadIdentity.CARRIER_LOG.equals(e.name()) && ThreadIdentity.isJavaThread(m) && e.message() != null) {
                    names.put(m, e.message());
                    namedCarriers.add(m);
                }
            }
            default -> { }
        }
    }

    /**
     * True if G {@code g} running on M {@code m} is a platform thread: a Java thread's G on the M
     * of its own id (a platform thread that emits events is its own M and its own G).
     */
    public static boolean isPlatform(long g, long m) {
        return g == m && ThreadIdentity.isJavaThread(g);
    }

    /**
     * The G that {@code e} places on the M of its own id, a platform thread (in its syscall, or
     * running on itself), else {@link TraceEvent#NONE}: a GoStatus stating a G on its own M, a
     * GoStart or GoCreateSyscall of the G whose id is the event's M.
     */
    public static long placedOnOwnM(TraceEvent e) {
        long g;
        long on;
        switch (e.type()) {
            case EventType.GO_STATUS, EventType.GO_STATUS_STACK -> {
                g = e.arg(0);
                on = e.arg(1);
            }
            case EventType.GO_START, EventType.GO_CREATE_SYSCALL -> {
                g = e.arg(0);
                on = e.m();
            }
            default -> {
                return TraceEvent.NONE;
            }
        }
        return isPlatform(g, on) ? g : TraceEvent.NONE;
    }

    /** The latest name the trace gave thread {@code id}, or null if it never named it. */
    public String name(long id) {
        return names.get(id);
    }

    /** {@link #name}, else {@code fallback}. */
    public String nameOr(long id, String fallback) {
        String n = names.get(id);
        return n != null ? n : fallback;
    }

    /** Every id with a name, and its latest name. */
    public Map<Long, String> names() {
        return Collections.unmodifiableMap(names);
    }

    /** The virtual threads: Gs that are not platform threads. */
    public Set<Long> virtualThreads() {
        Set<Long> s = new TreeSet<>(gs);
        s.removeAll(platform);
        s.removeAll(ms);
        return s;
    }

    /** The carriers: Ms that are not platform threads (named by a carrier log, or running virtual threads). */
    public Set<Long> carriers() {
        Set<Long> s = new TreeSet<>(ms);
        s.removeAll(platform);
        s.addAll(namedCarriers);
        return s;
    }

    /** Platform threads that emitted events: each is its own M and its own G. */
    public Set<Long> platformThreads() {
        Set<Long> s = new TreeSet<>(platform);
        s.removeAll(namedCarriers);
        return s;
    }

    public boolean isCarrier(long id) {
        return namedCarriers.contains(id) || (ms.contains(id) && !platform.contains(id));
    }

    public boolean isPlatformThread(long id) {
        return platform.contains(id) && !namedCarriers.contains(id);
    }
}
