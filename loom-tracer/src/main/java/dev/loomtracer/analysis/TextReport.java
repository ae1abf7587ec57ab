package dev.loomtracer.analysis;

import dev.loomtracer.analysis.AnalysisResult.*;
import java.util.List;
import java.util.Locale;

/**
 * The plain-text form of an {@link AnalysisResult}: the headline answers in words first (where the
 * tasks' time went, the slowest task, scheduler latency, the main blocking reasons, pinning), then
 * one section per analysis.
 *
 * <p>Invariant: prints only numbers of the result; a section with nothing to show says so in one
 * line; a trace without scheduling events says that instead of printing empty tables.
 */
public final class TextReport {
    /** Said wherever monitor waits are reported (docs/ANALYSIS.md, "Known limits"). */
    public static final String MONITOR_NOTE = "a virtual thread contending for a monitor first spins on its carrier"
            + " (0.3-7.5 ms measured) before it unmounts; the trace shows that spin as running, so \"monitor enter\""
            + " blocked time is less than the whole wait";

    /** The note under the blocking table (analyze's, the report's): {@link #MONITOR_NOTE} when a thread blocked entering a monitor, else null. */
    public static String blockingNote(AnalysisResult r) {
        return r.blocking().stream().anyMatch(b -> dev.loomtracer.format.BlockReasons.isMonitorEnter(b.reason())) ? MONITOR_NOTE : null;
    }

    private final StringBuilder sb = new StringBuilder(1 << 13);

    private TextReport() {}

    public static String of(AnalysisResult r) {
        TextReport t = new TextReport();
        t.headline(r);
        t.sections(r);
        return t.sb.toString();
    }

    /**
     * The headline answers alone, in words, one entry per answer (an indented detail line of the
     * text form is joined to its answer): what {@link #of} prints first, for the HTML report.
     */
    public static List<String> headlines(AnalysisResult r) {
        TextReport t = new TextReport();
        t.headline(r);
        List<String> out = new java.util.ArrayList<>();
        for (String l : t.sb.toString().split("\n")) {
            if (l.startsWith(" ") && !out.isEmpty()) {
                out.set(out.size() - 1, out.getLast() + " " + l.strip());
            } else if (!l.isBlank()) {
                out.add(l);
            }
        }
        return out;
    }

    /** Nanoseconds as a short human duration: "850 ns", "12.3 µs", "4.56 ms", "1.23 s". */
    public static String dur(long ns) {
        if (ns < 1_000) {
            return ns + " ns";
        }
        if (ns < 1_000_000) {
            return num(ns / 1e3) + " µs";
        }
        if (ns < 1_000_000_000) {
            return num(ns / 1e6) + " ms";
        }
        return num(ns / 1e9) + " s";
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }

    /** "1 carrier", "2 carriers": a count and its noun, plural unless the count is 1. */
    static String count(long n, String noun) {
        return n + " " + (n == 1 ? noun : noun + "s");
    }

    private static String pct(long part, long whole) {
        return whole <= 0 ? "0 %" : String.format(Locale.ROOT, "%.0f %%", 100.0 * part / whole);
    }

    private void line(String fmt, Object... args) {
        sb.append(String.format(Locale.ROOT, fmt, args)).append('\n');
    }

    private void headline(AnalysisResult r) {
        TraceInfo ti = r.trace();
        if (ti.cut() != null) {
            line("PARTIAL: only the complete generations were analysed; %s", ti.cut());
        }
        if (!ti.hasScheduling()) {
            line("This trace holds no scheduling events: it was taken without a capture layer (the Loom Tracer agent"
                    + " or the tracing scheduler), so it shows tasks, regions and logs but not what threads waited for."
                    + " Trace with ./loomtrace run (docs/CAPTURE.md) to get these answers.");
        } else {
            line("%s (%d virtual) on %s over %s; carriers busy %s of the time.",
                    count(r.threads().count(), "thread"), r.threads().virtualCount(), count(r.carriers().count(), "carrier"),
                    dur(ti.durationNanos()),
                    pct(r.carriers().byCarrier().stream().mapToLong(Row::totalNanos).sum(),
                            ti.durationNanos() * Math.max(1, r.carriers().count())));
        }
        for (TaskType t : r.tasks().subList(0, Math.min(3, r.tasks().size()))) {
            line("Task %s: %d done, p50 %s, p99 %s, max %s.", t.type(), t.count(), dur(t.p50Nanos()), dur(t.p99Nanos()),
                    dur(t.maxNanos()));
            if (ti.hasScheduling()) {
                line("  Where their time went: %s.", splitWords(t.split(), true));
            }
        }
        if (!r.slowestTasks().isEmpty() && ti.hasScheduling()) {
            TaskReport s = r.slowestTasks().get(0);
            line("Slowest task: %s (task %d) took %s: %s.", s.type(), s.id(), dur(s.wallNanos()), splitWords(s.split(), false));
            if (!s.longestSteps().isEmpty()) {
                Step st = s.longestSteps().get(0);
                line("  Its longest step: %s %s%s%s.", dur(st.durationNanos()), stepWords(st),
                        st.region().isEmpty() ? "" : " in region " + st.region(),
                        st.where().isEmpty() ? "" : " at " + st.where());
            }
        }
        if (!ti.hasScheduling()) {
            return;
        }
        Distribution d = r.schedLatency();
        line("Waiting for a carrier (scheduler latency): %s, p50 %s, p99 %s, max %s, %s in total.", count(d.count(), "wait"),
                dur(d.p50Nanos()), dur(d.p99Nanos()), dur(d.maxNanos()), dur(d.totalNanos()));
        if (r.blocking().isEmpty()) {
            line("No thread blocked.");
        } else {
            StringBuilder b = new StringBuilder();
            List<Reason> kinds = kinds(r.blocking());
            for (Reason row : kinds.subList(0, Math.min(3, kinds.size()))) {
                b.append(b.isEmpty() ? "" : "; ").append(reasonWords(row.reason())).append(' ')
                        .append(dur(row.totalNanos())).append(" (").append(count(row.count(), "block")).append(")");
            }
            line("Most blocked time: %s.", b);
        }
        Pinning p = r.pinned();
        line(p.count() == 0 ? "No thread blocked while pinned to its carrier." :
                String.format(Locale.ROOT, "Pinned: %s held a carrier for %s in total (longest %s).", count(p.count(), "block"),
                        dur(p.totalNanos()), dur(p.maxNanos())));
    }

    /**
     * A split in words, its three largest blocking reasons first; {@code byKind}: timed waits
     * summed under their untimed reason (for a sum over many tasks or region entries, where sleeps
     * of many lengths would crowd the line; one task's words keep the length it asked for).
     */
    private static String splitWords(Split s, boolean byKind) {
        long total = s.runningNanos() + s.runnableNanos() + s.pinnedNanos() + s.blockedNanos();
        StringBuilder b = new StringBuilder();
        List<Reason> blocked = byKind ? kinds(s.blocked()) : s.blocked();
        for (Reason row : blocked.subList(0, Math.min(3, blocked.size()))) {
            b.append(dur(row.totalNanos())).append(" (").append(pct(row.totalNanos(), total)).append(") ")
                    .append(reasonWords(row.reason())).append(", ");
        }
        if (blocked.size() > 3) {
            long rest = blocked.subList(3, blocked.size()).stream().mapToLong(Reason::totalNanos).sum();
            b.append(dur(rest)).append(" (").append(pct(rest, total)).append(") blocked otherwise, ");
        }
        b.append(dur(s.runnableNanos())).append(" (").append(pct(s.runnableNanos(), total)).append(") waiting for a carrier, ");
        if (s.pinnedNanos() > 0) {
            b.append(dur(s.pinnedNanos())).append(" (").append(pct(s.pinnedNanos(), total)).append(") pinned, ");
        }
        b.append(dur(s.runningNanos())).append(" (").append(pct(s.runningNanos(), total)).append(") running");
        return b.toString();
    }

    /** One row per untimed reason ({@link AnalysisResult#byUntimedReason}). */
    private static List<Reason> kinds(List<Reason> rows) {
        return AnalysisResult.byUntimedReason(rows).stream().map(AnalysisResult.ReasonGroup::all).toList();
    }

    private static String reasonWords(String reason) {
        return reason.isEmpty() ? "blocked (no reason given)" : "blocked on " + reason;
    }

    private static String stepWords(Step st) {
        return switch (st.state()) {
            case "RUNNABLE" -> "waiting for a carrier";
            case "PINNED" -> "pinned" + (st.reason().isEmpty() ? "" : " (" + st.reason() + ")");
            default -> reasonWords(st.reason());
        };
    }

    private void sections(AnalysisResult r) {
        TraceInfo ti = r.trace();
        line("");
        line("== Trace");
        line("  %s, %d bytes, %d generations, %d events, %s, %d scheduling events, at most %d threads alive",
                ti.version(), ti.bytes(), ti.generations(), ti.events(), dur(ti.durationNanos()), ti.schedulingEvents(),
                ti.peakLiveThreads());
        line("");
        line("== Tasks (wall time from begin to end; the split sums every thread working for the task)");
        if (r.tasks().isEmpty()) {
            line("  (no task began and ended in the trace)");
        }
        for (TaskType t : r.tasks()) {
            line("  %-24s %8d  p50 %-9s p90 %-9s p99 %-9s max %s", t.type(), t.count(), dur(t.p50Nanos()),
                    dur(t.p90Nanos()), dur(t.p99Nanos()), dur(t.maxNanos()));
        }
        if (ti.hasScheduling() && !r.slowestTasks().isEmpty()) {
            line("  slowest:");
            for (TaskReport s : r.slowestTasks()) {
                line("    %s task %d: %s = %s", s.type(), s.id(), dur(s.wallNanos()), splitWords(s.split(), false));
                for (Step st : s.longestSteps()) {
                    line("      %-9s thread %d %s%s%s", dur(st.durationNanos()), st.thread(), stepWords(st),
                            st.region().isEmpty() ? "" : " in " + st.region(), st.where().isEmpty() ? "" : " at " + st.where());
                }
            }
        }
        if (!ti.hasScheduling()) {
            return;
        }
        if (!r.regions().isEmpty()) {
            line("  time inside regions (innermost), summed over every entry:");
            for (RegionTime rt : r.regions()) {
                line("    %-32s %-9s = %s", (rt.taskType().isEmpty() ? "" : rt.taskType() + " / ") + rt.region(),
                        dur(rt.totalNanos()), splitWords(rt.split(), true));
            }
        }
        line("");
        line("== Scheduler latency (runnable -> running on a carrier)");
        dist("overall", r.schedLatency());
        for (Distribution d : r.schedLatencyByTaskType()) {
            dist("task " + d.name(), d);
        }
        for (Distribution d : r.schedLatencyByGroup()) {
            dist("group " + d.name(), d);
        }
        if (!r.worstWaits().isEmpty()) {
            line("  worst waits, with what each carrier ran when the wait ended:");
            for (Wait w : r.worstWaits()) {
                line("    %-9s thread %d%s at +%s", dur(w.waitNanos()), w.thread(),
                        w.taskType().isEmpty() ? "" : " (task " + w.taskType() + ")", dur(w.start() - ti.startNanos()));
                for (CarrierNow c : w.carriers()) {
                    line("      carrier %d: thread %d %s for %s%s", c.carrier(), c.thread(),
                            c.state().equals("PINNED") ? "pinned" : "running", dur(w.start() + w.waitNanos() - c.since()),
                            c.taskType().isEmpty() ? "" : " (task " + c.taskType() + (c.region().isEmpty() ? "" : ", " + c.region()) + ")");
                }
            }
        }
        line("");
        line("== Blocking (from each block to its unblock)");
        reasonGroups(r.blocking());
        String note = blockingNote(r);
        if (note != null) {
            line("  note: %s", note);
        }
        rows("by blocker class", r.blockingByBlocker());
        rows("by who unblocked", r.blockingByUnblocker());
        stacks("by stack", r.blockingByStack());
        Profiles pr = r.profiles();
        if (pr.blockedWithoutStack() > 0 && !r.blockingByStack().isEmpty()) {
            line("    %s without a stack (sampled out: stacks=on-block keeps one in %d): %s of their time attributed to"
                    + " stacks of the same reason by those stacks' share (the \"est.\" part above), %s to none",
                    count(pr.blockedWithoutStack(), "block"), dev.loomtracer.TraceOptions.Stacks.SAMPLE_ONE_IN,
                    dur(pr.blockedEstimatedNanos()), dur(pr.blockedUnattributedNanos()));
        }
        if (!r.blockedAtEnd().isEmpty()) {
            reasons("still blocked when the trace ended (time up to its end)", r.blockedAtEnd());
        }
        line("");
        line("== Pinning (blocked while pinned: the carrier is held)");
        Pinning p = r.pinned();
        line("  %s, %s in total, longest %s", count(p.count(), "block"), dur(p.totalNanos()), dur(p.maxNanos()));
        if (p.count() > 0) {
            rows("by reason", p.byReason());
            rows("by carrier held", p.byCarrier());
            stacks("by stack", p.byStack());
        }
        line("");
        Carriers c = r.carriers();
        line("== Carriers: %d, peak run queue %s", c.count(), count(c.peakRunnable(), "thread"));
        for (Row row : c.byCarrier()) {
            line("  %-16s busy %s (%s)", row.name(), dur(row.totalNanos()), pct(row.totalNanos(), ti.durationNanos()));
        }
        line("  over time (%s buckets): busy %%  mean runnable  peak runnable", dur(c.bucketNanos()));
        List<Bucket> tl = c.timeline();
        int step = Math.max(1, tl.size() / 20);
        for (int i = 0; i < tl.size(); i += step) {
            Bucket b = tl.get(i);
            line("    +%-10s %5.0f %%  %8.1f  %6d", dur(b.start() - tl.get(0).start()), b.busy() * 100, b.meanRunnable(),
                    b.peakRunnable());
        }
        line("");
        line("== Thread groups (by creation site: the innermost frame of the stack a thread was created with)");
        for (Group g : r.groups()) {
            line("  %-40s %7d %-7s  running %-9s sched wait %-9s (p99 %s)  blocked %s", g.group(), g.count(),
                    g.count() == 1 ? "thread" : "threads",
                    dur(g.execNanos()), dur(g.schedWaitNanos()), dur(g.p99SchedWaitNanos()),
                    dur(g.blocked().stream().mapToLong(Reason::totalNanos).sum()));
        }
        Threads t = r.threads();
        line("  all: %s (%d virtual), running %s, sched wait %s, blocked %s, pinned %s", count(t.count(), "thread"),
                t.virtualCount(), dur(t.execNanos()), dur(t.schedWaitNanos()), dur(t.blockedNanos()), dur(t.pinnedNanos()));
    }

    private void dist(String name, Distribution d) {
        line("  %-32s %8d  p50 %-9s p90 %-9s p99 %-9s p99.9 %-9s max %-9s total %s", name, d.count(), dur(d.p50Nanos()),
                dur(d.p90Nanos()), dur(d.p99Nanos()), dur(d.p999Nanos()), dur(d.maxNanos()), dur(d.totalNanos()));
    }

    private void rows(String title, List<Row> rows) {
        line("  %s:", title);
        if (rows.isEmpty()) {
            line("    (none)");
        }
        for (Row row : rows) {
            line("    %-40s %8d  total %-9s max %s", row.name().isEmpty() ? "(none)" : row.name(), row.count(),
                    dur(row.totalNanos()), dur(row.maxNanos()));
        }
    }

    /** At most this many timed forms are listed under their untimed reason; more are summarised. */
    static final int TIMED_FORMS_SHOWN = 4;

    /**
     * The by-reason table, one row per untimed reason; under it the timed forms as traced (the
     * wait asked for, e.g. {@code sleep 2 ms}) when there are a few, else their range.
     */
    private void reasonGroups(List<Reason> rows) {
        line("  by reason (then the wait for a carrier after the unblocks; timed waits under their kind):");
        for (AnalysisResult.ReasonGroup g : AnalysisResult.byUntimedReason(rows)) {
            reasonRow("    ", 40, g.all());
            formsListed(g).forEach(f -> reasonRow("      ", 38, f));
            String more = formsSummary(g);
            if (more != null) {
                line("      %s (--json blocking has each)", more);
            }
        }
    }

    /**
     * The forms listed under a group's row (analyze's by-reason table, the report's blocking
     * table): none for an untimed reason alone (its row says it all), the forms as traced when
     * there are at most {@link #TIMED_FORMS_SHOWN}, else none ({@link #formsSummary} says them).
     */
    public static List<Reason> formsListed(AnalysisResult.ReasonGroup g) {
        List<Reason> forms = g.forms();
        boolean untimedOnly = forms.size() == 1 && forms.get(0).reason().equals(g.all().reason());
        return untimedOnly || forms.size() > TIMED_FORMS_SHOWN ? List.of() : forms;
    }

    /**
     * For a group of more than {@link #TIMED_FORMS_SHOWN} forms, their number and the range of
     * waits they asked for ({@code 12 forms, asking 1.00 ms to 12.00 ms}); else null.
     */
    public static String formsSummary(AnalysisResult.ReasonGroup g) {
        List<Reason> forms = g.forms();
        if (forms.size() <= TIMED_FORMS_SHOWN) {
            return null;
        }
        long[] asked = forms.stream().mapToLong(f -> dev.loomtracer.format.BlockReasons.timeoutNanos(f.reason()))
                .filter(n -> n > 0).sorted().toArray();
        return forms.size() + " forms" + (asked.length == 0 ? ""
                : ", asking " + dur(asked[0]) + " to " + dur(asked[asked.length - 1]));
    }

    private void reasonRow(String indent, int width, Reason row) {
        line("%s%-" + width + "s %8d  total %-9s max %-9s then %s", indent, row.reason().isEmpty() ? "(none)" : row.reason(),
                row.count(), dur(row.totalNanos()), dur(row.maxNanos()), dur(row.resumeWaitNanos()));
    }

    private void reasons(String title, List<Reason> rows) {
        line("  %s (then the wait for a carrier after the unblocks):", title);
        for (Reason row : rows) {
            reasonRow("    ", 40, row);
        }
    }

    private void stacks(String title, List<StackRow> rows) {
        line("  %s:", title);
        if (rows.isEmpty()) {
            line("    (no stacks in this trace: trace with stacks on block to see where)");
        }
        for (StackRow row : rows) {
            line("    %-9s %6d %s%s", dur(row.totalNanos()), row.count(), row.count() == 1 ? "block" : "blocks",
                    row.estimatedNanos() > 0 ? " with this stack, + est. " + dur(row.estimatedNanos()) + " of blocks without one" : "");
            for (String f : row.frames().subList(0, Math.min(6, row.frames().size()))) {
                line("        %s", f);
            }
        }
    }
}
