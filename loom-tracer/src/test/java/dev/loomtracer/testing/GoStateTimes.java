package dev.loomtracer.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An independent reading of where goroutines spent time, from Go's own parse of a trace
 * ({@code go tool trace -d=1}, {@link GoJudge}): per goroutine, each Running->Waiting to its next
 * Waiting->Runnable, by the block's reason; each Runnable->Running wait whose start is in the trace
 * (the goroutine became runnable by a creation, unblock or stop, not by a status event); each
 * Syscall episode (Running->Syscall to leaving Syscall). A goroutine with a transition on the M of
 * its own id is a platform thread (docs/FORMAT.md, "Names and platform threads"): its syscall is
 * its time outside the scheduler, not a pinned episode, and none of its transitions count.
 * Nothing here uses this project's parser.
 *
 * <p>Invariant: only complete intervals (both transitions in Go's output) are counted.
 */
public final class GoStateTimes {
    private static final Pattern LINE = Pattern.compile(
            "^M=(-?\\d+) P=\\S+ G=\\S+ StateTransition Time=(\\d+) Resource=Goroutine\\((\\d+)\\) Reason=\"((?:[^\"\\\\]|\\\\.)*)\" GoID=\\d+ (\\w+)->(\\w+)");

    /** Blocked intervals per reason: count and total ns. */
    public final Map<String, long[]> blocked = new TreeMap<>();
    /** Every scheduler wait, ns, in trace order. */
    public final List<Long> schedWaits = new ArrayList<>();
    /** Every syscall (pinned) episode, ns. */
    public final List<Long> syscalls = new ArrayList<>();

    private GoStateTimes() {}

    /** Reads Go's view of {@code trace}; fails if Go rejects it. */
    public static GoStateTimes of(Path trace) {
        return of(GoJudge.assertValid(trace));
    }

    public static GoStateTimes of(GoJudge.Verdict v) {
        GoStateTimes s = new GoStateTimes();
        Map<Long, long[]> since = new HashMap<>(); // g -> {waitingSince, runnableSince, syscallSince}
        Map<Long, String> reason = new HashMap<>();
        java.util.Set<Long> platform = new java.util.HashSet<>();
        try (BufferedReader r = Files.newBufferedReader(v.stdout(), StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.startsWith("M=")) {
                    continue;
                }
                Matcher m = LINE.matcher(line);
                if (!m.find()) {
                    continue;
                }
                long mid = Long.parseLong(m.group(1));
                long time = Long.parseLong(m.group(2));
                long g = Long.parseLong(m.group(3));
                String why = GoJudge.unquote(m.group(4));
                String from = m.group(5);
                String to = m.group(6);
                if (mid == g) {
                    platform.add(g);
                }
                if (from.equals(to) || platform.contains(g)) {
                    continue;
                }
                long[] t = since.computeIfAbsent(g, k -> new long[] {-1, -1, -1});
                if (from.equals("Waiting") && t[0] >= 0) {
                    long[] acc = s.blocked.computeIfAbsent(reason.get(g), k -> new long[2]);
                    acc[0]++;
                    acc[1] += time - t[0];
                }
                if (from.equals("Runnable") && to.equals("Running") && t[1] >= 0) {
                    s.schedWaits.add(time - t[1]);
                }
                if (from.equals("Syscall") && t[2] >= 0) {
                    s.syscalls.add(time - t[2]);
                }
                t[0] = from.equals("Running") && to.equals("Waiting") ? time : -1;
                t[1] = to.equals("Runnable") && !from.equals("Undetermined") ? time : -1;
                t[2] = from.equals("Running") && to.equals("Syscall") ? time : -1;
                reason.put(g, why);
                if (to.equals("NotExist")) {
                    since.remove(g);
                    reason.remove(g);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s;
    }

    /** The value at percentile {@code p} (0..100) of {@code values}: the smallest with at least p % at or below it. */
    public static long percentile(List<Long> values, double p) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int rank = (int) Math.ceil(p / 100 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
