package dev.loomtracer.stress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The short start/stop stress run of CI: {@link StressMain} in a child JVM for stress.ci.seconds,
 * with the stalled-reader and halted-JVM checks. Fails on any failure, and unless Go judged every
 * trace the project's validator did.
 */
class StressRunTest {
    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES) // the run's own limit (ChildJvm, 10 min) comes first
    void shortStartStopStressRunHasNoFailure() throws Exception {
        Path work = Path.of("target", "stress-ci").toAbsolutePath();
        Files.createDirectories(work);
        String seconds = System.getProperty("stress.ci.seconds", "60");
        List<String> jvm = new ArrayList<>(ChildJvm.tracerFlags());
        jvm.add("-Xmx1g");
        ChildJvm.Result r = ChildJvm.run(work, work.resolve("stress.log"), 10, jvm, StressMain.class.getName(),
                List.of("--seconds", seconds, "--vts", "1000", "--go-every", "1", "--dir", work.resolve("traces").toString()));
        String out = r.output();
        System.out.println(out);
        if (out.contains("A fatal error has been detected by the Java Runtime Environment")) {
            // A JVM crash is a failure like any other; say where, so it is routed to the right module.
            Matcher frames = Pattern.compile("(?s)Problematic frame:\\n(.*?)\\n#.*?(hs_err_pid\\d+\\.log)").matcher(out);
            throw new AssertionError("the stress run crashed the JVM" + (frames.find()
                    ? " at " + frames.group(1).replace("# ", "").strip() + "; see " + work.resolve(frames.group(2))
                    : "") + "\n" + out);
        }
        assertEquals(0, r.exitCode(), "the stress run failed:\n" + out);
        Matcher m = Pattern.compile("stress: done: (\\d+) runs, (\\d+) failures; (\\d+) traces validated, (\\d+) judged by Go")
                .matcher(out);
        assertTrue(m.find(), "no final line:\n" + out);
        assertEquals("0", m.group(2), out);
        assertTrue(Long.parseLong(m.group(1)) >= 20, "too few runs for a stress run:\n" + out);
        assertTrue(Long.parseLong(m.group(3)) >= 20, "too few traces validated:\n" + out);
        assertEquals(m.group(3), m.group(4), "Go judged every trace the project's validator did:\n" + out);
        assertTrue(out.contains("stalled reader: ") && out.contains("halted JVM: "), "the special checks did not run:\n" + out);
    }
}
