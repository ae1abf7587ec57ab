package dev.loomtracer.hooks;

import com.sun.tools.attach.VirtualMachine;
import dev.loomtracer.hooks.cli.RunAccess;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A bad agent option never stops the host program (issue 11): for each, a child JVM runs
 * {@link ExitWith} under {@code -javaagent:JAR=OPTIONS}; its own output and exit status survive,
 * exactly one line names the option, and the program is traced with the defaults (trace checked
 * by both judges) or, when there is no usable output, not at all. {@code ./loomtrace run} refuses
 * the same options itself, before starting the program.
 */
class AgentBadOptionsTest {
    final Path dir = TestFiles.dir("bad-options");

    /** Runs ExitWith under the agent with {@code options}; asserts the program survived and one line names {@code named}. */
    private String survives(String options, String named) throws Exception {
        AgentJvm.Run run = programSurvives(options);
        List<String> lines = run.output().lines().filter(l -> l.contains(named)).toList();
        assertEquals(1, lines.size(), "one line naming " + named + ":\n" + run.output());
        assertTrue(lines.get(0).startsWith("Loom Tracer agent: "), lines.get(0));
        return lines.get(0);
    }

    /** Its own output and exit status, and no stack trace. */
    private static AgentJvm.Run programSurvives(String options) throws Exception {
        AgentJvm.Run run = AgentJvm.run(options, List.of(), ExitWith.class.getName());
        assertEquals(ExitWith.STATUS, run.exitCode(), run.output());
        assertTrue(run.output().contains(ExitWith.LINE), run.output());
        assertFalse(run.output().contains("Exception in thread") || run.output().contains("\tat "), run.output());
        return run;
    }

    private Path trace(String name) throws Exception {
        Path p = dir.resolve(name + ".trace");
        Files.deleteIfExists(p);
        return p;
    }

    /** A bad tuning value: traced with the option's default, and the trace is valid. */
    private void tracedWithDefault(String name, String bad) throws Exception {
        Path t = trace(name);
        String line = survives("output=" + t + "," + bad, bad);
        assertTrue(line.contains("default") || line.contains("ignored") || line.contains("stacks off"), line);
        GoroutineFacts f = GoroutineFacts.of(t);
        assertTrue(f.gs.values().stream().anyMatch(g -> g.creates > 0), "the program's virtual threads are in " + t);
    }

    @Test
    void outputInAMissingDirectory() throws Exception {
        String line = survives("output=/nonexistent/dir/x.trace", "output=/nonexistent/dir/x.trace");
        assertTrue(line.contains("not tracing") && line.contains("does not exist"), line);
        assertFalse(Files.exists(Path.of("/nonexistent/dir/x.trace")));
    }

    /** Refused up front when the process may not write it; as root, open succeeds and the first write fails. */
    @Test
    void outputThatCannotBeWritten() throws Exception {
        AgentJvm.Run run = programSurvives("output=/proc/version");
        assertTrue(run.output().lines().anyMatch(l -> l.startsWith("Loom Tracer agent: ") && l.contains("/proc/version")
                && (l.contains("not tracing") || l.contains("failed"))), run.output());
    }

    @Test
    void emptyOutput() throws Exception {
        assertTrue(survives("output=", "output=").contains("needs a value"));
    }

    @Test
    void badStacks() throws Exception {
        tracedWithDefault("stacks", "stacks=bogus");
    }

    @Test
    void unknownOption() throws Exception {
        tracedWithDefault("unknown", "foo=bar");
    }

    @Test
    void badPeriods() throws Exception {
        tracedWithDefault("period-negative", "period=-5ms");
        tracedWithDefault("period-zero", "period=0");
        tracedWithDefault("period-overflow", "period=99999999999999999h");
    }

    @Test
    void badBuffers() throws Exception {
        tracedWithDefault("buffer-zero", "buffer=0");
        tracedWithDefault("buffer-overflow", "buffer=9999999999GiB");
    }

    @Test
    void badFlightWindows() throws Exception {
        tracedWithDefault("flight-abc", "flight=abc");
        tracedWithDefault("flight-negative", "flight=-1s");
    }

    @Test
    void flightWithoutOutput() throws Exception {
        assertTrue(survives("flight=30s", "flight").contains("output=FILE"));
    }

    /** agentmain (a dynamic load) with empty options (what jcmd JVMTI.agent_load delivered) and with a bad one. */
    @Test
    void agentmainNeverFailsTheAttach() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+EnableDynamicAgentLoading", "-cp", testClasses(), ExitWith.class.getName(),
                dir.resolve("attached.ran").toString(), "wait"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream()));
            assertEquals("waiting", in.readLine());
            VirtualMachine vm = VirtualMachine.attach(String.valueOf(p.pid()));
            try {
                vm.loadAgent(AgentJvm.agentJar().toString(), "");
                vm.loadAgent(AgentJvm.agentJar().toString(), "stacks=bogus");
            } finally {
                vm.detach();
            }
            p.getOutputStream().write('\n');
            p.getOutputStream().flush();
            StringBuilder out = new StringBuilder();
            for (String l; (l = in.readLine()) != null; ) {
                out.append(l).append('\n');
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "liveness guard: the attached program did not end\n" + out);
            assertEquals(ExitWith.STATUS, p.exitValue(), out.toString());
            assertTrue(out.toString().contains(ExitWith.LINE), out.toString());
            assertEquals(1, out.toString().lines().filter(l -> l.contains("stacks=bogus")).count(), out.toString());
            assertTrue(out.toString().contains("Loom Tracer agent: hooks installed"), out.toString());
        } finally {
            p.destroyForcibly();
        }
    }

    /** Only the test classes: the program does not have the agent's classes on its class path, as in production. */
    private static String testClasses() throws Exception {
        return Path.of(ExitWith.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /** ./loomtrace run refuses each bad option with exit 2, and the program never starts. */
    @Test
    void runRefusesBadOptionsBeforeStartingTheProgram() throws Exception {
        Path ran = dir.resolve("run.ran");
        String agent = AgentJvm.agentJar().toString();
        String cp = System.getProperty("java.class.path");
        List<List<String>> bad = List.of(
                List.of("-o", "/nonexistent/dir/x.trace"),
                List.of("-o", ""),
                List.of("-o", dir.toString()),
                List.of("--stacks", "bogus"),
                List.of("--flight", "abc"),
                List.of("--flight", "-1s"));
        for (List<String> opts : bad) {
            Files.deleteIfExists(ran);
            List<String> args = new ArrayList<>(opts);
            args.addAll(List.of("--agent", agent, "--", "-cp", cp, ExitWith.class.getName(), ran.toString()));
            assertEquals(2, RunAccess.run(args.toArray(String[]::new)), opts.toString());
            assertFalse(Files.exists(ran), "the program ran despite " + opts);
        }
        assertEquals(2, RunAccess.run("-o"), "-o without a value");
        assertEquals(2, RunAccess.run("--stacks"), "--stacks without a value");
    }
}
