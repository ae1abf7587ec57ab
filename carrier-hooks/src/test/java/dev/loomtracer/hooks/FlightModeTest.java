package dev.loomtracer.hooks;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent's flight-recorder mode: a snapshot on demand over JMX, and the last window at exit; both valid. */
class FlightModeTest {
    final Path dir = TestFiles.dir("flight");

    @Test
    void snapshotOnDemandAndAtExit() throws Exception {
        Path atExit = dir.resolve("exit.trace");
        Path onDemand = dir.resolve("jmx.trace");
        Files.deleteIfExists(atExit);
        Files.deleteIfExists(onDemand);
        AgentJvm.Run run = AgentJvm.run("output=" + atExit + ",flight=30s/16MiB", List.of(), FlightMain.class.getName(),
                onDemand.toString());
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("dump: wrote"), run.output());
        for (Path p : List.of(onDemand, atExit)) {
            GoroutineFacts f = GoroutineFacts.of(p);
            long blocks = f.gs.values().stream().mapToLong(g -> g.blocks.size()).sum();
            assertTrue(blocks >= 1000, p + ": " + blocks + " blocks");
        }
    }
}
