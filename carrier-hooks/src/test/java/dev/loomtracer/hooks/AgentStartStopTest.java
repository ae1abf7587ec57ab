package dev.loomtracer.hooks;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Traces started and stopped by the program itself, many times, while virtual threads are
 * mid-flight, on the agent path (no {@code output=}: tracing is off when the program starts) and
 * on a patched java.base. {@link AgentStartStop} runs the workload and the traces (the public
 * stream API, the engine with its own reader, the flight recorder, in turn; stacks off, on
 * block (sampled), every block or all; 10 ms or 1 s generations) and, inside each trace, makes witness threads block in
 * six known ways (park, ReentrantLock, monitor enter, Object.wait, queue take, sleep), long-lived
 * ones parked since before the trace and ones created in it. For every trace: both judges accept
 * it, no event was lost or dropped as inconsistent or nested, and every witness block the
 * program saw is in it with its reason (and the program's main thread as the unblocker where it
 * unparked, unlocked or put).
 */
class AgentStartStopTest {
    static final int CYCLES = 30;
    /**
     * A carrier more than the 2 CPUs: the workload's pinned thread holds one for good (a pinned
     * park keeps its carrier), and a single carrier busy with ping-pongs never looks at the
     * program's own wake-ups (its local queue is never empty), which starves the witnesses.
     */
    static final List<String> JVM_OPTIONS = List.of("-Djdk.virtualThreadScheduler.parallelism=3");

    @Test
    void agentTracesStartedAndStoppedWhileVirtualThreadsRun() throws Exception {
        Path dir = TestFiles.dir("agent-start-stop");
        AgentJvm.Run run = AgentJvm.run("", JVM_OPTIONS, AgentStartStop.class.getName(),
                dir.toString(), String.valueOf(CYCLES), String.valueOf(seed()));
        check(dir, run, CYCLES);
    }

    @Test
    void patchedJdkTracesStartedAndStoppedWhileVirtualThreadsRun() throws Exception {
        Path dir = TestFiles.dir("patched-start-stop");
        AgentJvm.Run run = AgentJvm.runPatched("", JVM_OPTIONS, AgentStartStop.class.getName(),
                dir.toString(), String.valueOf(CYCLES / 2), String.valueOf(seed()));
        check(dir, run, CYCLES / 2);
    }

    private static long seed() {
        String s = System.getProperty("loomtrace.seed");
        long seed = s != null ? Long.parseLong(s) : System.nanoTime();
        System.out.println("AgentStartStopTest: seed " + seed + " (-Dloomtrace.seed= to repeat)");
        return seed;
    }

    /** {@code cycles}: the traces the child was asked for; each must be in its result file. */
    private static void check(Path dir, AgentJvm.Run run, int cycles) throws IOException {
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(!run.output().contains("not instrumented"), run.output());
        List<String> lines = Files.readAllLines(dir.resolve("result"));
        assertTrue(lines.size() >= 2 && lines.get(0).startsWith("main ") && lines.getLast().startsWith("witnessed "),
                "the child's result file starts with its main thread and ends with its witness count: " + lines);
        long main = Long.parseLong(lines.get(0).split(" ")[1]);
        long expects = lines.stream().filter(l -> l.startsWith("expect ")).count();
        List<String> failures = new ArrayList<>();
        Map<String, Integer> witnessed = new TreeMap<>();
        int traces = 0;
        GoroutineFacts facts = null;
        String trace = null;
        for (String line : lines.subList(1, lines.size())) {
            String[] w = line.split(" ");
            switch (w[0]) {
                case "trace" -> {
                    traces++;
                    trace = "trace " + w[1] + " (" + w[3] + ", stacks " + w[4] + ", " + w[5] + " ms generations)";
                    for (int i = 6; i <= 8; i++) {
                        if (!w[i].endsWith("=0")) {
                            failures.add(trace + ": " + w[i]);
                        }
                    }
                    try {
                        facts = GoroutineFacts.of(Path.of(w[2])); // both judges
                    } catch (AssertionError | IOException | RuntimeException e) {
                        facts = null;
                        failures.add(trace + ": rejected: " + e.getMessage());
                    }
                }
                case "expect" -> {
                    if (facts == null) {
                        continue;
                    }
                    long g = Long.parseLong(w[2]);
                    String kind = w[3] + "/" + w[4];
                    boolean byMain = Boolean.parseBoolean(w[5]);
                    String reason = w[6].replace('_', ' ');
                    GoroutineFacts.G f = facts.get(g);
                    boolean found = f.blocks.stream().anyMatch(b -> b.reason.equals(reason)
                            && (!byMain || b.unblocker == main));
                    if (found) {
                        witnessed.merge(kind, 1, Integer::sum);
                    } else {
                        failures.add(trace + ": the " + kind + " witness G" + g + " blocked (" + reason
                                + (byMain ? ", unblocked by G" + main : "") + ") but the trace shows " + f);
                    }
                }
                case "pinned" -> {
                    if (facts == null) {
                        continue;
                    }
                    GoroutineFacts.G f = facts.get(Long.parseLong(w[2]));
                    if (f.syscalls > 0 && !f.pinnedLogs.isEmpty()) {
                        witnessed.merge("PINNED", 1, Integer::sum);
                    } else {
                        failures.add(trace + ": the pinned thread G" + w[2] + " parked pinned but the trace shows " + f);
                    }
                }
                case "witnessed" -> assertEquals(expects, Long.parseLong(w[1]),
                        "the child counted as many witness blocks as it listed");
                default -> failures.add("bad line: " + line);
            }
        }
        System.out.println("AgentStartStopTest " + dir.getFileName() + ": " + traces + " traces, witness blocks found: "
                + witnessed + (failures.isEmpty() ? "" : "; " + failures.size() + " failures"));
        assertTrue(failures.isEmpty(), failures.size() + " failures:\n" + String.join("\n", failures));
        assertEquals(cycles, traces, "every trace the child was asked for is in its result file");
        int n = witnessed.values().stream().mapToInt(Integer::intValue).sum();
        assertTrue(n >= traces * 5, "each trace witnessed at least five blocks (a sleep may end unseen): " + witnessed);
    }
}
