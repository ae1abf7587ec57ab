package dev.loomtracer.jfr;

import dev.loomtracer.jfr.convert.JfrConverter;
import dev.loomtracer.jfr.events.LoomEvents;
import dev.loomtracer.testing.GoEvents;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The stacks of a converted {@code .jfr}, read with {@code jdk.jfr.consumer}, against the stacks Go's
 * parser reports for the same events ({@code go tool trace -d=1}, {@link GoEvents}), event by event:
 * for each thread (each task, for tasks) the n-th JFR event of a kind carries the stack of the n-th
 * Go event it was made from (docs/JFR.md, "The mapping").
 *
 * <p>Invariant: both sides are independent readings (the JDK's JFR parser, Go's trace parser); the
 * project's parser is not consulted. Frames compare as {@code function:line}, with '/' read as '.'
 * on both sides (JFR class names cannot keep a Go package path's slashes; files are not in JFR).
 */
public final class JfrStacksVsGo {
    private JfrStacksVsGo() {}

    /** What a comparison covered. */
    public record Checked(long events, long withStacks) {}

    private static final Pattern G = Pattern.compile("^M=-?\\d+ P=-?\\d+ G=(-?\\d+) ");
    private static final Pattern M = Pattern.compile("^M=(-?\\d+) ");
    private static final Pattern TASK_ID = Pattern.compile(" ID=(\\d+) ");

    /** Converts {@code trace} next to {@code jfr} and compares; returns what was compared. */
    public static Checked convertAndCompare(Path trace, Path jfr) throws IOException {
        JfrConverter.convert(trace, jfr, JfrConverter.Options.defaults());
        return compare(trace, jfr);
    }

    /** Fails unless every JFR event's stack equals Go's stack of its trace event. */
    public static Checked compare(Path trace, Path jfr) throws IOException {
        Map<String, List<List<String>>> go = goStacks(GoEvents.read(trace));
        Map<String, List<List<String>>> ours = jfrStacks(jfr);
        long events = 0;
        long withStacks = 0;
        for (var e : ours.entrySet()) {
            for (List<String> s : e.getValue()) {
                events++;
                withStacks += s.isEmpty() ? 0 : 1;
            }
        }
        if (!go.equals(ours)) {
            StringBuilder why = new StringBuilder();
            int[] shown = {0};
            java.util.Set<String> keys = new java.util.TreeSet<>(go.keySet());
            keys.addAll(ours.keySet());
            for (String k : keys) {
                List<List<String>> a = go.getOrDefault(k, List.of());
                List<List<String>> b = ours.getOrDefault(k, List.of());
                if (shown[0] >= 20) {
                    break;
                }
                if (a.size() != b.size()) {
                    shown[0]++;
                    why.append("\n  ").append(k).append(": Go has ").append(a.size()).append(" events, the .jfr ").append(b.size());
                    continue;
                }
                for (int i = 0; i < a.size(); i++) {
                    if (!a.get(i).equals(b.get(i)) && shown[0]++ < 20) {
                        why.append("\n  ").append(k).append(" #").append(i + 1).append(": Go ").append(a.get(i))
                                .append("\n      .jfr ").append(b.get(i));
                    }
                }
            }
            fail(trace + " -> " + jfr + ": stacks differ from Go's (first 20 differences):" + why);
        }
        return new Checked(events, withStacks);
    }

    /** Go's events the converter turns into JFR events with stacks, keyed as {@link #jfrStacks}. */
    static Map<String, List<List<String>>> goStacks(List<GoEvents.Event> events) {
        Map<String, List<List<String>>> out = new TreeMap<>();
        for (GoEvents.Event e : events) {
            String key = switch (e.kind()) {
                case "StateTransition" -> {
                    Long g = e.transitionG();
                    String t = e.goTransition();
                    if (g == null || t == null) {
                        yield null;
                    }
                    yield switch (t) {
                        case "Running->Waiting" -> "park G" + g;
                        case "Waiting->Runnable" -> "unpark G" + g;
                        // A platform thread's syscall on its own M is not a pinned block (docs/FORMAT.md).
                        case "Running->Syscall" -> m(e) == g ? null : "pinned G" + g;
                        default -> null;
                    };
                }
                case "TaskBegin" -> {
                    Matcher m = TASK_ID.matcher(e.line());
                    yield m.find() ? "task " + m.group(1) : null;
                }
                case "RegionBegin" -> "region G" + g(e);
                case "Log" -> "log G" + g(e);
                // the converter's sampled thread: the G, else the M (JfrConverter, CpuSample)
                case "StackSample" -> "sample " + (g(e) != -1 ? g(e) : m(e));
                default -> null;
            };
            if (key != null) {
                out.computeIfAbsent(key, k -> new ArrayList<>()).add(frames(e.stack()));
            }
        }
        return out;
    }

    private static long g(GoEvents.Event e) {
        Matcher m = G.matcher(e.line());
        if (!m.find()) {
            throw new AssertionError("no G= in Go's line: " + e.line());
        }
        return Long.parseLong(m.group(1));
    }

    private static long m(GoEvents.Event e) {
        Matcher m = M.matcher(e.line());
        if (!m.find()) {
            throw new AssertionError("no M= in Go's line: " + e.line());
        }
        return Long.parseLong(m.group(1));
    }

    private static List<String> frames(List<GoEvents.Frame> stack) {
        List<String> out = new ArrayList<>();
        for (GoEvents.Frame f : stack) {
            out.add(f.function().replace('/', '.') + ":" + f.line());
        }
        return out;
    }

    private record Timed(long nanos, List<String> stack) {}

    /** The .jfr's events with stacks, per kind and thread (or task), in time order. */
    static Map<String, List<List<String>>> jfrStacks(Path jfr) throws IOException {
        Map<String, List<Timed>> timed = new TreeMap<>();
        try (RecordingFile f = new RecordingFile(jfr)) {
            while (f.hasMoreEvents()) {
                RecordedEvent e = f.readEvent();
                String key = switch (e.getEventType().getName()) {
                    case LoomEvents.PARK -> "park G" + e.getLong("virtualThreadId");
                    case LoomEvents.UNPARK -> "unpark G" + e.getLong("virtualThreadId");
                    case LoomEvents.PINNED -> "pinned G" + e.getLong("virtualThreadId");
                    case LoomEvents.TASK -> "task " + e.getLong("taskId");
                    case LoomEvents.REGION -> "region G" + e.getLong("threadId");
                    case LoomEvents.LOG -> "log G" + e.getLong("threadId");
                    case LoomEvents.EXECUTION_SAMPLE -> "sample " + e.getThread("sampledThread").getJavaThreadId();
                    default -> null;
                };
                if (key == null) {
                    continue;
                }
                java.time.Instant t = e.getStartTime();
                timed.computeIfAbsent(key, k -> new ArrayList<>())
                        .add(new Timed(t.getEpochSecond() * 1_000_000_000L + t.getNano(), frames(e.getStackTrace())));
            }
        }
        Map<String, List<List<String>>> out = new TreeMap<>();
        timed.forEach((k, l) -> {
            l.sort(Comparator.comparingLong(Timed::nanos));
            out.put(k, l.stream().map(Timed::stack).toList());
        });
        return out;
    }

    private static List<String> frames(RecordedStackTrace st) {
        List<String> out = new ArrayList<>();
        if (st == null) {
            return out;
        }
        for (RecordedFrame f : st.getFrames()) {
            String cls = f.getMethod().getType().getName();
            String fn = (cls.isEmpty() ? "" : cls + ".") + f.getMethod().getName();
            out.add(fn.replace('/', '.') + ":" + f.getLineNumber());
        }
        return out;
    }
}
