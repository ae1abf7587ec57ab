package dev.loomtracer.hooks.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.loomtracer.hooks.agent.PatchedJdk;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The capture overhead harness (not a test: it prints numbers). It starts JVMs in the
 * configurations below and runs, interleaved round by round so that the machine's noise hits
 * every configuration alike, two ping-pongs of two virtual threads:
 * <ul>
 * <li>{@code park}: LockSupport.park/unpark handing a turn back and forth;</li>
 * <li>{@code queue}: a SynchronousQueue each way.</li>
 * </ul>
 * Configurations (one carrier: {@code -Djdk.virtualThreadScheduler.parallelism=1}, so that a
 * round trip is two switches on one carrier and not two carrier wake-ups):
 * <ol>
 * <li>{@code no agent}: the baseline; and with class data sharing off, which a patched java.base implies;</li>
 * <li>{@code agent, tracing off} / {@code agent, tracing on}: {@code -javaagent} (what
 *     {@code ./loomtrace run} does), whose JVMTI environment makes HotSpot track every
 *     virtual-thread mount and unmount whether tracing is on or not;</li>
 * <li>{@code patched, tracing off} / {@code on} / {@code on, stacks on block} /
 *     {@code on, stacks every block}: the same instrumentation patched into java.base
 *     ({@code ./loomtrace run --patch}): no agent, no JVMTI; {@code stacks=on-block} (sampled)
 *     and {@code stacks=every-block};</li>
 * <li>{@code Go, untraced} / {@code Go, traced}: the Go twin of the two ping-pongs
 *     ({@code src/main/go/pingpong/main.go}, {@code GOMAXPROCS=1}) under Go's own execution tracer,
 *     which takes a stack at every block: the ratio the stacks target is stated against. Only
 *     when a Go is found ({@code LOOMTRACE_GO}, {@code /usr/lib/go-1.23/bin/go},
 *     {@code go} on the PATH) and the source is beside the classes (a checkout's build).</li>
 * </ol>
 * It prints the median wall-clock ns and process CPU ns per round trip of each, the ratios the targets are stated in, and the
 * trace's bytes per event.
 *
 * <p>Usage: {@code java -cp <carrier-hooks classes> dev.loomtracer.hooks.bench.CaptureOverhead
 * [--agent JAR] [--rounds N] [--trips N]} (the agent jar defaults to the one the build made).
 */
public final class CaptureOverhead {
    private CaptureOverhead() {}

    /** More options for every benchmark JVM, e.g. {@code -XX:+UseParallelGC} (system property loomtrace.overhead.jvm, space-separated). */
    private static final List<String> EXTRA_JVM_OPTIONS = System.getProperty("loomtrace.overhead.jvm", "").isBlank()
            ? List.of() : List.of(System.getProperty("loomtrace.overhead.jvm").trim().split("\\s+"));
    private static final String NO_AGENT = "no agent";
    private static final String PATCHED_OFF = "patched, tracing off";
    private static final String PATCHED_ON = "patched, tracing on";
    private static final String PATCHED_STACKS = "patched, tracing on, stacks on block";
    private static final String PATCHED_EVERY = "patched, tracing on, stacks every block";
    private static final String GO_OFF = "Go, untraced";
    private static final String GO_ON = "Go, traced (stacks on every block)";

    record Config(String name, String jvm, String mode) {}

    public static void main(String[] args) throws Exception {
        String agent = null;
        int rounds = 9;
        int trips = 200_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--agent" -> agent = args[++i];
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--trips" -> trips = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (usage: CaptureOverhead [--agent JAR] [--rounds N] [--trips N])");
            }
        }
        Path jar = agent != null ? Path.of(agent) : dev.loomtracer.hooks.agent.AgentJarLookup.find();
        String cp = codeSource();
        Path patch = Files.createTempDirectory("loomtrace-overhead-patch");
        PatchedJdk.build(Path.of(System.getProperty("java.home")), patch);
        Map<String, Child> jvms = new LinkedHashMap<>();
        jvms.put("plain", Child.start(cp, List.of()));
        jvms.put("plain-nocds", Child.start(cp, List.of("-Xshare:off")));
        jvms.put("agent", Child.start(cp, List.of("-Xbootclasspath/a:" + jar, "-javaagent:" + jar)));
        jvms.put("patched", Child.start(cp, PatchedJdk.jvmOptions(patch, jar, "")));
        List<Config> configs = new ArrayList<>(List.of(
                new Config(NO_AGENT, "plain", "off"),
                new Config("no agent, CDS off (as patched)", "plain-nocds", "off"),
                new Config("agent, tracing off", "agent", "off"),
                new Config("agent, tracing on", "agent", "on"),
                new Config(PATCHED_OFF, "patched", "off"),
                new Config(PATCHED_ON, "patched", "on"),
                new Config(PATCHED_STACKS, "patched", "stacks"),
                new Config(PATCHED_EVERY, "patched", "every")));
        Path goTwin = GoTwin.build(Path.of(cp), patch);
        if (goTwin != null) {
            jvms.put("go", Child.start(List.of(goTwin.toString()), java.util.Map.of("GOMAXPROCS", "1")));
            configs.add(new Config(GO_OFF, "go", "off"));
            configs.add(new Config(GO_ON, "go", "on"));
        }
        String[] benches = {"park", "queue"};
        System.out.printf(Locale.ROOT, "capture overhead: %d rounds x %d round trips, JDK %s, %d CPUs, parallelism 1%n",
                rounds, trips, Runtime.version(), Runtime.getRuntime().availableProcessors());
        // Warm-up: every configuration once, results dropped.
        for (String b : benches) {
            for (Config c : configs) {
                jvms.get(c.jvm).measure(b, c.mode, trips);
            }
        }
        Map<String, List<Double>> ns = new LinkedHashMap<>();
        Map<String, List<Double>> cpu = new LinkedHashMap<>();
        Map<String, double[]> bytes = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
            for (String b : benches) {
                for (Config c : configs) {
                    Child.Result res = jvms.get(c.jvm).measure(b, c.mode, trips);
                    ns.computeIfAbsent(b + "|" + c.name, k -> new ArrayList<>()).add(res.nsPerTrip());
                    cpu.computeIfAbsent(b + "|" + c.name, k -> new ArrayList<>()).add(res.cpuPerTrip());
                    if (res.events() > 0) {
                        double[] acc = bytes.computeIfAbsent(b + "|" + c.name, k -> new double[2]);
                        acc[0] += res.bytes();
                        acc[1] += res.events();
                    }
                }
            }
            System.out.printf(Locale.ROOT, "round %d/%d done%n", r + 1, rounds);
        }
        for (Child c : jvms.values()) {
            c.close();
        }
        for (String b : benches) {
            System.out.printf(Locale.ROOT, "%n%s ping-pong, per round trip: median wall ns (min..max), x no agent;"
                    + " median process CPU ns, x no agent%n", b);
            double base = median(ns.get(b + "|" + NO_AGENT));
            double cpuBase = median(cpu.get(b + "|" + NO_AGENT));
            for (Config c : configs) {
                List<Double> l = ns.get(b + "|" + c.name);
                double m = median(l);
                double mc = median(cpu.get(b + "|" + c.name));
                String extra = "";
                double[] by = bytes.get(b + "|" + c.name);
                if (by != null) {
                    extra = String.format(Locale.ROOT, "  %.2f bytes/event", by[0] / by[1]);
                }
                System.out.printf(Locale.ROOT, "  %-36s %8.1f (%.1f..%.1f) x%.3f   cpu %8.1f x%.3f%s%n", c.name, m,
                        l.stream().mapToDouble(d -> d).min().orElse(0), l.stream().mapToDouble(d -> d).max().orElse(0),
                        m / base, mc, mc / cpuBase, extra);
            }
            ratio(ns, cpu, b, "tracing off, -javaagent / no agent", "agent, tracing off", NO_AGENT, "1.03");
            ratio(ns, cpu, b, "tracing off, patched / no agent", PATCHED_OFF, NO_AGENT, "1.03");
            ratio(ns, cpu, b, "traced / untraced, -javaagent", "agent, tracing on", "agent, tracing off", "1.3");
            ratio(ns, cpu, b, "traced / untraced, patched", PATCHED_ON, PATCHED_OFF, "1.3");
            ratio(ns, cpu, b, "stacks on block / untraced, patched", PATCHED_STACKS, PATCHED_OFF, "Go's; stretch 2");
            ratio(ns, cpu, b, "stacks every block / untraced, patched", PATCHED_EVERY, PATCHED_OFF, "Go's");
            if (goTwin != null) {
                ratio(ns, cpu, b, "Go: traced / untraced", GO_ON, GO_OFF, "-");
            }
        }
        deleteTree(patch);
    }

    private static void ratio(Map<String, List<Double>> ns, Map<String, List<Double>> cpu, String bench, String what,
            String config, String base, String target) {
        System.out.printf(Locale.ROOT, "  %-40s wall %.3f  cpu %.3f  (target <= %s)  per round: %s%n", what + ":",
                median(ns.get(bench + "|" + config)) / median(ns.get(bench + "|" + base)),
                median(cpu.get(bench + "|" + config)) / median(cpu.get(bench + "|" + base)), target,
                perRound(ns.get(bench + "|" + config), ns.get(bench + "|" + base)));
    }

    /** The wall ratio of each round (configuration / base of the same round): the spread the median hides. */
    private static String perRound(List<Double> config, List<Double> base) {
        double[] r = new double[config.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = config.get(i) / base.get(i);
        }
        Arrays.sort(r);
        return String.format(Locale.ROOT, "%.2f..%.2f", r[0], r[r.length - 1]);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    static double median(List<Double> l) {
        double[] a = l.stream().mapToDouble(d -> d).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static String codeSource() throws URISyntaxException {
        return Path.of(CaptureOverhead.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /** A benchmark JVM, driven line by line over its stdin/stdout. */
    static final class Child implements AutoCloseable {
        record Result(double nsPerTrip, long bytes, long events, double cpuPerTrip) {}

        private final Process p;
        private final BufferedWriter in;
        private final BufferedReader out;

        private Child(Process p) {
            this.p = p;
            this.in = new BufferedWriter(new OutputStreamWriter(p.getOutputStream()));
            this.out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        }

        static Child start(List<String> cmd, Map<String, String> env) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().putAll(env);
            return new Child(pb.start());
        }

        static Child start(String cp, List<String> jvmOptions) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(jvmOptions);
            cmd.add("-Djdk.virtualThreadScheduler.parallelism=1");
            cmd.addAll(EXTRA_JVM_OPTIONS);
            cmd.add("-Xmx1g");
            cmd.add("-cp");
            cmd.add(cp);
            cmd.add(OverheadChild.class.getName());
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
            return new Child(pb.start());
        }

        Result measure(String bench, String mode, int trips) throws IOException {
            in.write(bench + " " + mode + " " + trips + "\n");
            in.flush();
            String line = out.readLine();
            if (line == null || !line.startsWith("ok ")) {
                throw new IOException("benchmark JVM failed: " + line);
            }
            String[] w = line.split(" ");
            return new Result(Double.parseDouble(w[1]), Long.parseLong(w[2]), Long.parseLong(w[3]), Double.parseDouble(w[4]));
        }

        @Override
        public void close() throws IOException {
            in.write("quit\n");
            in.flush();
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
