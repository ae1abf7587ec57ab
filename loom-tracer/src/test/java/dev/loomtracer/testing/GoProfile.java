package dev.loomtracer.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go's blocking profiles of a trace, as {@code go tool trace -pprof=KIND FILE} writes them (a pprof
 * proto) and {@code go tool pprof -raw} prints them (no Graphviz needed): samples of (count, delay
 * in ns, stack). {@link #expected} recomputes the same profile from Go's parsed events by the rule
 * of Go's {@code cmd/trace/pprof.go} ({@code makeComputePprofFunc}): a goroutine's wait starts at a
 * transition to Waiting whose reason the profile counts and that has a stack, and ends at its next
 * transition that has a stack and leaves Waiting; the wait is counted under the starting stack.
 *
 * <p>Invariant: both sides are Go's; comparing them checks that {@code go tool trace}'s profile,
 * which keys frames by PC across the whole trace, shows the stacks and times the trace holds.
 */
public final class GoProfile {
    private GoProfile() {}

    /** Go's profile kinds and the reasons each counts (Go's {@code computePprofIO}/{@code computePprofBlock}). */
    public static final Map<String, Predicate<String>> KINDS = Map.of(
            "net", r -> r.equals("network"),
            "sync", r -> r.contains("chan") || r.contains("sync") || r.contains("select"));

    /** Count and total delay of one stack (frames as {@code function:line}, innermost first). */
    public record Sample(long count, long nanos) {}

    private static final Pattern SAMPLE = Pattern.compile("^\\s*(\\d+)\\s+(\\d+):((?:\\s+\\d+)*)\\s*$");
    private static final Pattern LOCATION = Pattern.compile("^\\s*(\\d+): 0x[0-9a-f]+ M=\\d+ (\\S+) (.*):(\\d+):\\d+ s=\\d+$");

    /** {@code go tool trace -pprof=kind trace}, read back with {@code go tool pprof -raw}: samples by stack. */
    public static Map<List<String>, Sample> of(Path trace, String kind) {
        GoJudge.Verdict prof = GoJudge.tool("trace", "-pprof=" + kind, trace.toAbsolutePath().toString());
        if (!prof.valid()) {
            throw new AssertionError("go tool trace -pprof=" + kind + " " + trace + " failed: " + prof.stderr());
        }
        try {
            if (Files.size(prof.stdout()) == 0) {
                return Map.of(); // an empty profile is written as nothing
            }
            GoJudge.Verdict raw = GoJudge.tool("pprof", "-raw", prof.stdout().toString());
            if (!raw.valid()) {
                throw new AssertionError("go tool pprof -raw failed on the " + kind + " profile of " + trace + ": " + raw.stderr());
            }
            List<String> lines = Files.readAllLines(raw.stdout());
            Map<Long, String> locations = new HashMap<>();
            boolean inLocations = false;
            for (String l : lines) {
                if (l.equals("Locations")) {
                    inLocations = true;
                } else if (l.equals("Mappings")) {
                    inLocations = false;
                } else if (inLocations) {
                    Matcher m = LOCATION.matcher(l);
                    if (!m.matches()) {
                        throw new AssertionError("unexpected location line from go tool pprof -raw: " + l);
                    }
                    locations.put(Long.parseLong(m.group(1)), m.group(2) + ":" + m.group(4));
                }
            }
            Map<List<String>, Sample> out = new TreeMap<>(GoProfile::compare);
            for (String l : lines) {
                Matcher m = SAMPLE.matcher(l);
                if (!m.matches()) {
                    continue;
                }
                List<String> stack = new ArrayList<>();
                for (String id : m.group(3).trim().split("\\s+")) {
                    if (!id.isEmpty()) {
                        stack.add(locations.get(Long.parseLong(id)));
                    }
                }
                out.merge(stack, new Sample(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))),
                        (a, b) -> new Sample(a.count + b.count, a.nanos + b.nanos));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The profile Go's rule gives from Go's own parsed events (see the class comment). */
    public static Map<List<String>, Sample> expected(List<GoEvents.Event> events, String kind) {
        Predicate<String> counts = KINDS.get(kind);
        Map<Long, GoEvents.Event> waiting = new HashMap<>();
        Map<List<String>, Sample> out = new TreeMap<>(GoProfile::compare);
        for (GoEvents.Event e : events) {
            Long g = e.transitionG();
            if (g == null || e.stack().isEmpty()) {
                continue;
            }
            String to = e.goTransition().substring(e.goTransition().indexOf("->") + 2);
            GoEvents.Event start = waiting.get(g);
            if (start == null) {
                if (to.equals("Waiting") && counts.test(e.reason())) {
                    waiting.put(g, e);
                }
            } else if (!to.equals("Waiting")) {
                waiting.remove(g);
                long d = e.time() - start.time();
                if (d > 0) {
                    out.merge(frames(start.stack()), new Sample(1, d), (a, b) -> new Sample(a.count + b.count, a.nanos + b.nanos));
                }
            }
        }
        return out;
    }

    /** A stack as the profile shows it: {@code function:line}, innermost first. */
    public static List<String> frames(List<GoEvents.Frame> stack) {
        return stack.stream().map(f -> f.function() + ":" + f.line()).toList();
    }

    private static int compare(List<String> a, List<String> b) {
        return String.join("\n", a).compareTo(String.join("\n", b));
    }
}
