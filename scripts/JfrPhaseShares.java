import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the CPU of each phase of a scripts/profile-example-server.sh run went: of a JFR recording's
 * CPU-time samples (jdk.CPUTimeSample; -Devent=jdk.ExecutionSample for the other sampler, which
 * samples threads in Java whether they use CPU or not), per phase, the share whose stack holds a
 * frame of the tracer (engine, capture hooks, annotation API, debug endpoints), those samples by
 * what the tracer was doing (the categories of docs/PERFORMANCE.md, "Where a traced server's CPU
 * goes"), and the most frequent tracer call paths.
 *
 *   java scripts/JfrPhaseShares.java server.jfr phases.txt
 *
 * Invariant: a sample counts for the tracer only if a tracer frame is in its stack and is not one
 * of the hooks that merely wrap a park (the park itself is the program's): a sample inside the
 * wrapped park counts for the program. Phases are "LABEL START_MS END_MS" lines (epoch ms); a
 * label that comes back (one per round) adds up.
 */
public class JfrPhaseShares {
    private static final Set<String> PARK_WRAPPERS = Set.of("dev.loomtracer.hooks.agent.Hooks.sleepParkNanos",
            "dev.loomtracer.hooks.agent.Hooks.ioPark", "dev.loomtracer.hooks.agent.Hooks.ioParkNanos",
            "dev.loomtracer.hooks.agent.Hooks.carrierIdlePark");

    private record Phase(String label, long from, long to) {}

    private static final class Counts {
        long samples;
        long tracer;
        final Map<String, Long> categories = new HashMap<>();
        final Map<String, Long> paths = new HashMap<>();
    }

    static boolean isTracer(String cls) {
        return cls.startsWith("dev.loomtracer.engine.") || cls.startsWith("dev.loomtracer.hooks.")
                || cls.startsWith("dev.loomtracer.debug.") || cls.equals("dev.loomtracer.Annotations")
                || cls.equals("dev.loomtracer.Task") || cls.equals("dev.loomtracer.Region")
                || cls.equals("dev.loomtracer.LoomTrace");
    }

    /** What the tracer was doing, from the tracer's frames of a sample (outermost first) and the frames above them. */
    static String category(String path) {
        if (path.contains("advanceLoop") || path.contains("Advancer.advance")) return "advancer (a generation's end: statuses, tables)";
        if (path.contains("EventStacks.ofUnmounted")) return "stacks: walks of unmounted continuations (monitor enter, Object.wait)";
        if (path.contains("Annotations.stack")) return "stacks: annotations (Throwable, Backtraces)";
        if (path.contains("EventStacks.current")) return "stacks: parks, creations (Throwable, Backtraces)";
        if (path.contains("dev.loomtracer.debug.")) return "reader: the /debug endpoints streaming the trace";
        if (path.contains("TraceWriter.tellNames") || path.contains("TraceWriter.nameId")) return "names (GoLabel, carrier log)";
        if (path.contains("StringTable") || path.contains("TraceWriter.stringId")) return "string ids";
        if (path.contains("StackTable") || path.contains("TraceWriter.stackId")) return "stack ids";
        if (path.contains("TraceWriter.lookup")) return "G lookup (the session's map of Gs)";
        if (path.contains("EventStacks.entryOf")) return "creation: start stack";
        if (path.contains("hooks.core.Reasons") || path.contains("hooks.core.Timeouts") || path.contains("Hooks.hint")
                || path.contains("Hooks.unhint") || path.contains("getBlocker")) return "hooks: reason, hints";
        if (path.contains("engine.TraceBuf")) return "encoding (TraceBuf)";
        if (path.contains("Tracer.acquire") || path.contains("Tracer.release") || path.contains("CarrierThreadLocal")) return "acquire/release, carrier locals";
        return "the rest of the hooks and writes";
    }

    public static void main(String[] args) throws Exception {
        String event = System.getProperty("event", "jdk.CPUTimeSample");
        List<Phase> phases = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[1]))) {
            String[] p = line.trim().split("\\s+");
            if (p.length == 3) {
                phases.add(new Phase(p[0], Long.parseLong(p[1]), Long.parseLong(p[2])));
            }
        }
        Map<String, Counts> byLabel = new LinkedHashMap<>();
        phases.forEach(p -> byLabel.computeIfAbsent(p.label(), k -> new Counts()));
        try (RecordingFile rf = new RecordingFile(Path.of(args[0]))) {
            while (rf.hasMoreEvents()) {
                RecordedEvent e = rf.readEvent();
                if (!e.getEventType().getName().equals(event) || e.getStackTrace() == null || e.getStackTrace().getFrames().isEmpty()) {
                    continue;
                }
                long ms = e.getStartTime().toEpochMilli();
                Counts c = null;
                for (Phase p : phases) {
                    if (ms >= p.from() && ms < p.to()) {
                        c = byLabel.get(p.label());
                        break;
                    }
                }
                if (c == null) {
                    continue;
                }
                c.samples++;
                List<RecordedFrame> frames = e.getStackTrace().getFrames(); // innermost first
                int outer = -1;
                for (int i = frames.size() - 1; i >= 0; i--) {
                    if (isTracer(frames.get(i).getMethod().getType().getName()) && !PARK_WRAPPERS.contains(name(frames.get(i)))) {
                        outer = i;
                        break;
                    }
                }
                if (outer < 0) {
                    continue;
                }
                c.tracer++;
                StringBuilder path = new StringBuilder();
                for (int i = outer; i >= 0; i--) {
                    path.append(path.isEmpty() ? "" : ";").append(name(frames.get(i)));
                }
                c.categories.merge(category(path.toString()), 1L, Long::sum);
                String[] top = path.toString().split(";");
                c.paths.merge(String.join(";", java.util.Arrays.copyOf(top, Math.min(3, top.length))), 1L, Long::sum);
            }
        }
        for (Map.Entry<String, Counts> en : byLabel.entrySet()) {
            Counts c = en.getValue();
            System.out.printf("%n%s: %d samples (%s), %d in the tracer: %.2f %%%n", en.getKey(), c.samples, event, c.tracer,
                    100.0 * c.tracer / Math.max(1, c.samples));
            print(c.categories, c.tracer, 20);
            System.out.println("  top tracer paths (outermost tracer frame first):");
            print(c.paths, c.tracer, 12);
        }
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static void print(Map<String, Long> m, long total, int n) {
        m.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(n)
                .forEach(e -> System.out.printf("  %5.1f %%  %5d  %s%n", 100.0 * e.getValue() / Math.max(1, total), e.getValue(), e.getKey()));
    }
}
