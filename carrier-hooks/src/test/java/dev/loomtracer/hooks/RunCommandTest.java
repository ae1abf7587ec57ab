package dev.loomtracer.hooks;

import dev.loomtracer.hooks.agent.AgentMain;
import dev.loomtracer.hooks.cli.RunAccess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./loomtrace run}: an unmodified program, traced end to end through the agent. */
class RunCommandTest {
    final Path dir = TestFiles.dir("run");

    @Test
    void runsAProgramUnderTheAgentAndWritesAValidTrace() throws Exception {
        Path trace = dir.resolve("fanout.trace");
        Path ids = dir.resolve("fanout.ids");
        Files.deleteIfExists(trace);
        java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
        java.io.PrintStream err = System.err;
        int rc;
        System.setErr(new java.io.PrintStream(said, true));
        try {
            rc = RunAccess.run("-o", trace.toString(), "--stacks", "on-block", "--agent", AgentJvm.agentJar().toString(),
                    "--", "-cp", System.getProperty("java.class.path"), FanOut.class.getName(), ids.toString());
        } finally {
            System.setErr(err);
        }
        assertEquals(0, rc);
        // It says what go tool trace's profiles can show with these stacks (docs/CAPTURE.md, "Go's profiles").
        String out = said.toString();
        org.junit.jupiter.api.Assertions.assertTrue(out.contains("profiles will be empty or partial") && out.contains("--stacks all"), out);
        System.out.println("run: " + FanOut.check(FanOut.readIds(ids), GoroutineFacts.of(trace)));
    }

    @Test
    void withPatchNoAgentIsLoaded() throws Exception {
        Path trace = dir.resolve("fanout-patched.trace");
        Path ids = dir.resolve("fanout-patched.ids");
        Files.deleteIfExists(trace);
        int rc = RunAccess.run("-o", trace.toString(), "--patch", "--agent", AgentJvm.agentJar().toString(),
                "--", "-cp", System.getProperty("java.class.path"), FanOut.class.getName(), ids.toString());
        assertEquals(0, rc);
        System.out.println("run --patch: " + FanOut.check(FanOut.readIds(ids), GoroutineFacts.of(trace)));
    }

    /**
     * {@code --no-jvmti}: the program's JVM gets the options that turn JVMTI's virtual-thread
     * transition tracking off, and the agent still traces every thread (FanOut has no monitor
     * contention, which the option can deadlock on JDK 25).
     */
    @Test
    void withNoJvmtiTheJvmGetsTheOptionsAndTheTraceIsComplete() throws Exception {
        Path trace = dir.resolve("fanout-no-jvmti.trace");
        Path ids = dir.resolve("fanout-no-jvmti.ids");
        Path jvmArgs = dir.resolve("fanout-no-jvmti.jvmargs");
        Files.deleteIfExists(trace);
        Files.deleteIfExists(jvmArgs);
        int rc = RunAccess.run("-o", trace.toString(), "--no-jvmti", "--agent", AgentJvm.agentJar().toString(),
                "--", "-cp", System.getProperty("java.class.path"), FanOut.class.getName(), ids.toString(), jvmArgs.toString());
        assertEquals(0, rc);
        List<String> args = Files.readAllLines(jvmArgs);
        assertTrue(args.containsAll(AgentMain.NO_JVMTI_TRANSITIONS), "the program's JVM options: " + args);
        System.out.println("run --no-jvmti: " + FanOut.check(FanOut.readIds(ids), GoroutineFacts.of(trace)));
    }

    @Test
    void withoutAProgramItSaysWhatIsMissing() throws Exception {
        assertEquals(2, RunAccess.run("-o", dir.resolve("none.trace").toString()));
        assertEquals(2, RunAccess.run("--no-such-option", "--", "-version"));
    }
}
