package dev.loomtracer.stress;

import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.infra.Status;
import org.openjdk.jcstress.infra.collectors.DiskReadCollector;
import org.openjdk.jcstress.infra.collectors.InProcessCollector;
import org.openjdk.jcstress.infra.collectors.TestResult;
import org.openjdk.jcstress.infra.grading.GradingResult;
import org.openjdk.jcstress.infra.grading.TestGrading;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Judges a jcstress run of the protocol suite from its result file ({@code jcstress-results-*.bin.gz}):
 * every real test must have run, with no forbidden outcome and no error; every broken control
 * (a test whose simple name starts with {@code Broken}) must have run and shown its forbidden
 * outcome at least once. A broken control that stops failing fails the suite: a test that cannot
 * fail proves nothing.
 *
 * <p>{@code java -cp jcstress.jar dev.loomtracer.stress.JcstressVerdict RESULT_FILE}: prints the
 * table and exits 1 unless the verdict is a pass.
 */
public final class JcstressVerdict {
    private static final String PKG = "dev.loomtracer.stress.engine.";

    /**
     * Each real test and the broken controls that show its protocol's forbidden outcome
     * (docs/STRESS.md, "The jcstress tests"). The suite is judged against this pairing by name:
     * a real test without its controls, a control without its real test, or a test listed here
     * that the build no longer has, fails the verdict.
     */
    public static final Map<String, List<String>> PAIRS = pairs(
            "ReaderSlotWakeupStress.Real", List.of("ReaderSlotWakeupStress.BrokenNoRecheck", "ReaderSlotWakeupStress.BrokenPlainTakeBack"),
            "TwoReadersStress.Real", List.of("TwoReadersStress.BrokenCheckThenSet"),
            "GenPublicationStress.Start", List.of("GenPublicationStress.BrokenStartGenFirst"),
            "GenPublicationStress.Stop", List.of("GenPublicationStress.BrokenStopNoRecheck"),
            "AdvanceVsWriterStress.Real", List.of("AdvanceVsWriterStress.BrokenNoWait"),
            "BufferHandoffStress.Real", List.of("BufferHandoffStress.BrokenEarlyRelease"),
            "TableInternStress.Strings", List.of("TableInternStress.BrokenStrings"),
            "TableInternStress.Stacks", List.of("TableInternStress.BrokenStacks"),
            "StartStopEmitStress.Real", List.of("StartStopEmitStress.BrokenFlagOnlyStop"));

    private static Map<String, List<String>> pairs(Object... kv) {
        Map<String, List<String>> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<String> controls = (List<String>) kv[i + 1];
            m.put(PKG + kv[i], controls.stream().map(c -> PKG + c).toList());
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * What is wrong with the pairing of the tests the build lists ({@code listed}) against
     * {@link #PAIRS}; empty if every listed test is a paired real test or one of its controls and
     * every paired test is listed.
     */
    public static List<String> pairingProblems(List<String> listed) {
        List<String> problems = new ArrayList<>();
        java.util.Set<String> paired = new java.util.HashSet<>();
        PAIRS.forEach((real, controls) -> {
            paired.add(real);
            paired.addAll(controls);
            if (!listed.contains(real)) {
                problems.add(real.replace(PKG, "") + ": real test not in the build");
            }
            for (String c : controls) {
                if (!listed.contains(c)) {
                    problems.add(c.replace(PKG, "") + ": broken control of " + real.replace(PKG, "") + " not in the build");
                }
            }
        });
        for (String t : listed) {
            if (!paired.contains(t)) {
                problems.add(t.replace(PKG, "") + ": not paired in JcstressVerdict.PAIRS (a real test needs its named broken control)");
            }
        }
        return problems;
    }

    /** One test's figures across all its runs (configurations, forks). */
    public record Row(String test, boolean broken, long samples, long forbidden, Status status, List<String> forbiddenOutcomes) {
        public boolean ok() {
            if (status != Status.NORMAL || samples == 0) {
                return false;
            }
            return broken ? forbidden > 0 : forbidden == 0;
        }
    }

    public record Verdict(List<Row> rows, List<String> missing, List<String> unpaired) {
        public boolean passed() {
            return missing.isEmpty() && unpaired.isEmpty() && rows.stream().allMatch(Row::ok);
        }

        public String table() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("%-62s %-7s %14s %12s  %s%n", "test", "kind", "samples", "forbidden", "verdict"));
            for (Row r : rows) {
                sb.append(String.format("%-62s %-7s %,14d %,12d  %s%n",
                        r.test().replace(PKG, ""), r.broken() ? "broken" : "real",
                        r.samples(), r.forbidden(),
                        r.ok() ? (r.broken() ? "OK (control fails as it must)" : "OK")
                                : (r.status() != Status.NORMAL ? "FAIL: " + r.status()
                                        : r.samples() == 0 ? "FAIL: no samples"
                                        : r.broken() ? "FAIL: broken control showed no forbidden outcome"
                                        : "FAIL: forbidden " + r.forbiddenOutcomes())));
            }
            for (String m : missing) {
                sb.append(String.format("%-62s %-7s %14s %12s  FAIL: did not run%n", m.replace(PKG, ""), "", "-", "-"));
            }
            for (String u : unpaired) {
                sb.append("FAIL: ").append(u).append('\n');
            }
            return sb.toString();
        }
    }

    /** The jcstress tests compiled into the class path (from every META-INF/TestList). */
    public static List<String> listedTests(ClassLoader cl) throws IOException {
        TreeSet<String> names = new TreeSet<>();
        Enumeration<URL> lists = cl.getResources("META-INF/TestList");
        while (lists.hasMoreElements()) {
            try (InputStream in = lists.nextElement().openStream()) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    if (!line.startsWith("JCTEST")) {
                        continue;
                    }
                    // Length-prefixed fields: JCTEST<len>S<name>...
                    int p = "JCTEST".length();
                    int s = line.indexOf('S', p);
                    int len = Integer.parseInt(line.substring(p, s));
                    names.add(line.substring(s + 1, s + 1 + len));
                }
            }
        }
        return new ArrayList<>(names);
    }

    public static Verdict judge(Path resultFile, List<String> expected) throws Exception {
        InProcessCollector c = new InProcessCollector();
        DiskReadCollector reader = new DiskReadCollector(resultFile.toString(), c);
        try {
            reader.dump();
        } finally {
            reader.close();
        }
        Map<String, long[]> figures = new TreeMap<>();
        Map<String, Status> statuses = new TreeMap<>();
        Map<String, TreeSet<String>> forbiddenOutcomes = new TreeMap<>();
        for (TestResult r : c.getTestResults()) {
            String name = r.getName();
            long[] f = figures.computeIfAbsent(name, k -> new long[2]);
            statuses.merge(name, r.status(), Status::combine);
            f[0] += r.getTotalCount();
            TestGrading g = r.grading();
            for (GradingResult gr : g.gradingResults.values()) {
                if ((gr.expect == Expect.FORBIDDEN || gr.expect == Expect.UNKNOWN) && gr.count > 0) {
                    f[1] += gr.count;
                    forbiddenOutcomes.computeIfAbsent(name, k -> new TreeSet<>()).add(gr.id);
                }
            }
        }
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, long[]> e : figures.entrySet()) {
            String name = e.getKey();
            String simple = name.substring(name.lastIndexOf('.') + 1);
            rows.add(new Row(name, simple.startsWith("Broken"), e.getValue()[0], e.getValue()[1], statuses.get(name),
                    new ArrayList<>(forbiddenOutcomes.getOrDefault(name, new TreeSet<>()))));
        }
        List<String> missing = new ArrayList<>();
        for (String t : expected) {
            if (!figures.containsKey(t)) {
                missing.add(t);
            }
        }
        return new Verdict(rows, missing, pairingProblems(expected));
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: JcstressVerdict jcstress-results-*.bin.gz");
            System.exit(2);
        }
        Verdict v = judge(Path.of(args[0]), listedTests(JcstressVerdict.class.getClassLoader()));
        System.out.print(v.table());
        long real = v.rows().stream().filter(r -> !r.broken()).count();
        long broken = v.rows().stream().filter(Row::broken).count();
        System.out.println((v.passed() ? "PASS" : "FAIL") + ": " + real + " real tests, " + broken + " broken controls");
        System.exit(v.passed() ? 0 : 1);
    }
}
