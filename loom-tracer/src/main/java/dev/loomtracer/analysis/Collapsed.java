package dev.loomtracer.analysis;

import dev.loomtracer.analysis.AnalysisResult.StackRow;
import java.util.List;
import java.util.Locale;

/**
 * Time by stack in the collapsed-stack format that flame-graph tools read (Brendan Gregg's
 * flamegraph.pl, speedscope, async-profiler's converter): one line per stack,
 * {@code outermost;...;innermost nanoseconds}.
 *
 * <p>Invariant: the values are the nanoseconds of the result's profile, unchanged; a frame never
 * contains ';' (replaced by ':') or a line break, so every line parses as one stack.
 */
public final class Collapsed {
    /** What the value of a line is. */
    public enum Kind {
        /** Blocked time, by the stack where the thread blocked. */
        BLOCKED,
        /** Scheduler wait, by the stack where the waiting thread resumes. */
        SCHED,
        /** Pinned time, by the stack where the pinned thread blocked. */
        PINNED;

        /** Parses "blocked", "sched" or "pinned"; null if none. */
        public static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.name().toLowerCase(Locale.ROOT).equals(s)) {
                    return k;
                }
            }
            return null;
        }
    }

    private Collapsed() {}

    public static List<StackRow> rows(AnalysisResult r, Kind kind) {
        return switch (kind) {
            case BLOCKED -> r.profiles().blocked();
            case SCHED -> r.profiles().schedWait();
            case PINNED -> r.profiles().pinned();
        };
    }

    public static String of(AnalysisResult r, Kind kind) {
        StringBuilder sb = new StringBuilder();
        for (StackRow row : rows(r, kind)) {
            List<String> f = row.frames();
            for (int i = f.size() - 1; i >= 0; i--) {
                sb.append(f.get(i).replace(';', ':').replace('\n', ' '));
                if (i > 0) {
                    sb.append(';');
                }
            }
            sb.append(' ').append(row.totalNanos()).append('\n');
        }
        return sb.toString();
    }
}
