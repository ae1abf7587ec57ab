package dev.loomtracer.hooks;

import dev.loomtracer.format.EventType;
import dev.loomtracer.parse.TraceSummary;
import dev.loomtracer.testing.CheckedTrace;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./loomtrace demo} (README, Quick start) as the launcher runs it: {@code Demo} in a JVM
 * without the agent, which finds the agent jar and runs itself again under it. The trace it
 * writes is accepted by both judges, holds the program's own facts (one task and one status log
 * per request), and every number the demo prints is the trace's.
 */
class DemoTest {
    static final int REQUESTS = 300;

    @Test
    void theDemoTracesItsRequestsUnderTheAgentAndPrintsTheTracesOwnNumbers() throws Exception {
        Path trace = TestFiles.dir("demo").resolve("demo.trace");
        Files.deleteIfExists(trace);
        AgentJvm.Run run = AgentJvm.runJava(List.of("-Dloomtrace.agentJar=" + AgentJvm.agentJar()),
                dev.loomtracer.cli.Demo.class.getName(), "-o", trace.toString(), "--requests", String.valueOf(REQUESTS));
        String out = run.output();
        assertEquals(0, run.exitCode(), out);
        assertTrue(out.contains("Tracing " + REQUESTS + " requests on virtual threads into " + trace
                + " (scheduling captured by the Loom Tracer agent) ..."), "ran under the agent:\n" + out);
        // The hint names a go binary that exists here (its path varies), then "tool trace FILE".
        assertTrue(Pattern.compile(Pattern.quote(trace + " is valid. Open it with:  ") + "\\S*go tool trace "
                + Pattern.quote(trace.toString())).matcher(out).find(), out);

        CheckedTrace t = CheckedTrace.of(trace); // both judges
        assertEquals(REQUESTS, t.count(e -> e.type() == EventType.USER_TASK_BEGIN && "request".equals(e.name())),
                "one task per request");
        assertEquals(REQUESTS, t.count(e -> e.type() == EventType.USER_LOG && "status".equals(e.name())),
                "one status log per request");

        TraceSummary s = TraceSummary.of(trace);
        assertEquals(s.generations(), printed(out, "generations"), out);
        assertEquals(s.events(), printed(out, "events"), out);
        assertEquals(s.threadsSeen().virtualThreads().size(), printed(out, "virtual threads"), out);
        assertEquals(s.threadsSeen().carriers().size(), printed(out, "carriers"), out);
        assertEquals(s.threadsSeen().platformThreads().size(), printed(out, "platform threads"), out);
        assertEquals(s.bytes(), printed(out, "bytes"), out);
        Map<String, Long> reasons = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^    (\\S.*?)\\s+(\\d+)$").matcher(out);
        while (m.find()) {
            reasons.put(m.group(1), Long.parseLong(m.group(2)));
        }
        assertEquals(s.blockReasons(), reasons, "the blocks by reason it printed:\n" + out);
        assertTrue(reasons.keySet().stream().anyMatch(r -> dev.loomtracer.format.BlockReasons.untimed(r).equals(dev.loomtracer.format.BlockReasons.SLEEP)
                && dev.loomtracer.format.BlockReasons.timeoutNanos(r) > 0) && reasons.keySet().stream().anyMatch(r -> r.equals(dev.loomtracer.format.BlockReasons.QUEUE_PUT) || r.equals(dev.loomtracer.format.BlockReasons.QUEUE_TAKE)),
                "the agent captured the requests' sleeps and queue hand-offs: " + reasons);
        assertTrue(!out.contains("lost events"), "nothing lost:\n" + out);
    }

    /**
     * {@code ./loomtrace demo -o missing-dir/x.trace}: one line naming the file and why, exit 1,
     * and no JVM started under the agent (it printed a NoSuchFileException's stack trace before).
     */
    @Test
    void anOutputInAMissingDirectoryIsOneClearLineAndExit1() throws Exception {
        Path missing = TestFiles.dir("demo").resolve("missing-dir");
        Files.deleteIfExists(missing);
        Path trace = missing.resolve("x.trace");
        AgentJvm.Run run = AgentJvm.runJava(List.of("-Dloomtrace.agentJar=" + AgentJvm.agentJar()),
                dev.loomtracer.cli.Demo.class.getName(), "-o", trace.toString(), "--requests", "10");
        assertEquals(1, run.exitCode(), run.output());
        assertEquals(List.of("demo: cannot write " + trace + ": no such directory " + missing), run.output().lines().toList());
        assertTrue(!Files.exists(missing), "nothing created");
    }

    private static long printed(String out, String name) {
        Matcher m = Pattern.compile("(?m)^  " + name + "\\s+(\\d+)").matcher(out);
        assertTrue(m.find(), "no '" + name + "' line in:\n" + out);
        return Long.parseLong(m.group(1));
    }
}
