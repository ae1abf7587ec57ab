package dev.loomtracer.hooks;

import dev.loomtracer.hooks.cli.RunAccess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code ./loomtrace run}: an unmodified program, traced end to end through the agent. */
class RunCommandTest {
    final Path dir = TestFiles.dir("run");

    @Test
    void runsAProgramUnderTheAgentAndWritesAValidTrace() throws Exception {
        Path trace = dir.resolve("fanout.trace");
        Path ids = dir.resolve("fanout.ids");
        Files.deleteIfExists(trace);
        int rc = RunAccess.run("-o", trace.toString(), "--stacks", "on-block", "--agent", AgentJvm.agentJar().toString(),
                "--", "-cp", System.getProperty("java.class.path"), FanOut.class.getName(), ids.toString());
        assertEquals(0, rc);
        System.out.println("run: " + FanOut.check(FanOut.readIds(ids), TraceFacts.of(trace)));
    }

    @Test
    void withPatchNoAgentIsLoaded() throws Exception {
        Path trace = dir.resolve("fanout-patched.trace");
        Path ids = dir.resolve("fanout-patched.ids");
        Files.deleteIfExists(trace);
        int rc = RunAccess.run("-o", trace.toString(), "--patch", "--agent", AgentJvm.agentJar().toString(),
                "--", "-cp", System.getProperty("java.class.path"), FanOut.class.getName(), ids.toString());
        assertEquals(0, rc);
        System.out.println("run --patch: " + FanOut.check(FanOut.readIds(ids), TraceFacts.of(trace)));
    }

    @Test
    void withoutAProgramItSaysWhatIsMissing() throws Exception {
        assertEquals(2, RunAccess.run("-o", dir.resolve("none.trace").toString()));
        assertEquals(2, RunAccess.run("--no-such-option", "--", "-version"));
    }
}
