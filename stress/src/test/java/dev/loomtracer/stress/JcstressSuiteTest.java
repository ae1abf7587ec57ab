package dev.loomtracer.stress;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the whole jcstress suite in a bounded mode (forked, one fork per test, no split
 * compilation, jcstress.ci.time ms x jcstress.ci.iters) and judges it with {@link JcstressVerdict}:
 * every real test ran with no forbidden outcome, every broken control ran and showed its
 * forbidden outcome. Never skips: a missing test, a missing result file or a broken control that
 * stopped failing fails the build.
 */
class JcstressSuiteTest {
    @Test
    void everyProtocolHoldsAndEveryBrokenControlFails() throws Exception {
        List<String> expected = JcstressVerdict.listedTests(getClass().getClassLoader());
        long real = expected.stream().filter(t -> !t.substring(t.lastIndexOf('.') + 1).startsWith("Broken")).count();
        assertTrue(real >= 8, "the suite lists its tests (META-INF/TestList): " + expected);
        assertTrue(expected.size() - real >= 8, "every protocol has a broken control: " + expected);

        Path work = Path.of("target", "jcstress-ci").toAbsolutePath();
        if (Files.exists(work)) {
            try (Stream<Path> s = Files.walk(work)) {
                s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
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

        Path resultFile;
        try (Stream<Path> s = Files.list(work)) {
            resultFile = s.filter(p -> p.getFileName().toString().matches("jcstress-results-.*\\.bin\\.gz")).findFirst()
                    .orElse(null);
        }
        if (resultFile == null) {
            fail("jcstress wrote no result file (exit " + r.exitCode() + "); log:\n" + tail(r.output()));
        }
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
