package dev.loomtracer.stress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the whole jcstress suite in a bounded mode (forked, one fork per test, no split
 * compilation, jcstress.ci.time ms x jcstress.ci.iters) and judges it with {@link JcstressVerdict}:
 * every real test ran with no forbidden outcome, every broken control ran and showed its
 * forbidden outcome. Never skips: a missing test, a missing result file or a broken control that
 * stopped failing fails the build, and so does a real test without its named broken controls
 * ({@link JcstressVerdict#PAIRS}).
 */
class JcstressSuiteTest {
    @Test
    @Timeout(value = 25, unit = TimeUnit.MINUTES) // jcstress's own limit (ChildJvm, 20 min) comes first
    void everyProtocolHoldsAndEveryBrokenControlFails() throws Exception {
        List<String> expected = JcstressVerdict.listedTests(getClass().getClassLoader());
        assertEquals(List.of(), JcstressVerdict.pairingProblems(expected),
                "every real test is listed (META-INF/TestList) with its named broken controls: " + expected);

        // A result file of an earlier run must never be judged as this run's: delete them all, or fail.
        Path work = Path.of("target", "jcstress-ci").toAbsolutePath();
        if (Files.exists(work)) {
            try (Stream<Path> s = Files.walk(work)) {
                for (Path p : s.sorted((a, b) -> b.compareTo(a)).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(work);
        String flags = String.join(" ", ChildJvm.tracerFlags());
        List<String> args = new ArrayList<>(List.of(
                "-t", "dev\\.loomtracer\\.engine\\..*",
                "-m", "quick",
                "-time", System.getProperty("jcstress.ci.time", "200"),
                "-iters", System.getProperty("jcstress.ci.iters", "3"),
                "-f", "1",
                "-sc", "false",
                "-jvmArgs", flags,
                "-r", work.resolve("results").toString()));
        long t0 = System.nanoTime();
        ChildJvm.Result r = ChildJvm.run(work, work.resolve("jcstress.log"), 20,
                List.of("--enable-native-access=ALL-UNNAMED", "-Xmx512m"), "org.openjdk.jcstress.Main", args);
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;

        List<Path> resultFiles;
        try (Stream<Path> s = Files.list(work)) {
            resultFiles = s.filter(p -> p.getFileName().toString().matches("jcstress-results-.*\\.bin\\.gz")).toList();
        }
        if (resultFiles.size() != 1) {
            fail("jcstress wrote " + resultFiles.size() + " result files, expected exactly one (exit " + r.exitCode()
                    + "): " + resultFiles + "; log:\n" + tail(r.output()));
        }
        Path resultFile = resultFiles.get(0);
        JcstressVerdict.Verdict v = JcstressVerdict.judge(resultFile, expected);
        String table = v.table();
        Files.writeString(work.resolve("verdict.txt"), table + (v.passed() ? "PASS" : "FAIL") + " in " + seconds + " s\n");
        System.out.println("jcstress suite (" + seconds + " s):\n" + table);
        assertEquals(List.of(), v.missing(), "tests that did not run:\n" + table);
        assertTrue(v.passed(), "jcstress verdict:\n" + table);
    }

    private static String tail(String s) {
        return s.length() < 4000 ? s : s.substring(s.length() - 4000);
    }
}
