package dev.loomtracer.hooks;

import dev.loomtracer.hooks.cli.RunAccess;
import dev.loomtracer.testing.CheckedTrace;
import dev.loomtracer.format.EventType;
import dev.loomtracer.format.TracePrefix;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** After a SIGKILL, ./loomtrace run says so and that the last period is missing; the file is valid up to the cut. */
class RunKilledTest {
    @Test
    void runSaysTheProgramWasKilledAndTheLastPeriodIsMissing() throws Exception {
        Path trace = TestFiles.dir("killed").resolve("killed.trace");
        Files.deleteIfExists(trace);
        PrintStream stderr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc;
        System.setErr(new PrintStream(err, true));
        try {
            rc = RunAccess.run("-o", trace.toString(), "--agent", AgentJvm.agentJar().toString(), "--",
                    "-cp", System.getProperty("java.class.path"), SelfKill.class.getName(), trace.toString());
        } finally {
            System.setErr(stderr);
        }
        assertEquals(128 + 9, rc, err.toString());
        assertTrue(err.toString().contains("was killed (signal 9, SIGKILL)") && err.toString().contains("is missing"),
                err.toString());
        // The complete generations before the cut are valid for both judges.
        byte[] all = Files.readAllBytes(trace);
        Path prefix = trace.resolveSibling("killed-complete.trace");
        Files.write(prefix, java.util.Arrays.copyOf(all, (int) TracePrefix.complete(all)));
        // CheckedTrace.of already refuses a trace without a generation: what must be there is the
        // program's work, the virtual threads it ran until the generation was written.
        CheckedTrace kept = CheckedTrace.of(prefix);
        assertTrue(kept.count(e -> e.type() == EventType.GO_START) > 0, "the kept generations hold the program's virtual threads running");
    }
}
