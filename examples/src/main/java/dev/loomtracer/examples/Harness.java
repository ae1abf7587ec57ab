package dev.loomtracer.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What tracing costs the example server: throughput and latency percentiles under the
 * {@link LoadGenerator} with tracing off, with a streamed trace running ({@code /debug/trace}), and
 * with the flight recorder running, interleaved in one run, then the ratios.
 *
 * <p>Method: one server JVM (a child process, so the load generator's own threads are not traced),
 * started once with {@code --debug}; the configurations only change at run time through the debug
 * endpoints, so they share one JIT state. Each round runs every configuration once, for the same
 * time, in an order rotated per round; the ratio of a configuration is the median over rounds of
 * its throughput divided by the same round's "off" throughput (pairing within a round cancels
 * slow drift of a noisy machine). Beside throughput, it records the server process's CPU time per
 * request (user + system, from the OS), which other processes on a busy machine disturb far less
 * than throughput: on a CPU-bound server, throughput loss is about the growth of CPU per request.
 * Not a test: nothing here asserts a timing.
 */
public final class Harness {
    private Harness() {}

    enum Config { OFF, TRACE, FLIGHT }

    static final String USAGE = """
            usage: loomtrace example-server harness [options]
              --rounds R            rounds; each runs every configuration once (default 5)
              --seconds S           load per configuration per round (default 5)
              --warmup S            load before the first round, not measured (default 10)
              --connections C       load generator connections (default 32)
              --workloads LIST      comma-separated: hello (GET /hello), work (GET /work) (default hello,work)
              --stacks MODE         stacks of both traces: off, on-block, every-block, all (default off, the server's default)
              --server-jvm-arg ARG  an extra JVM option for the server (repeatable), e.g. -javaagent:...
              --server-arg ARG      an extra server option (repeatable), e.g. --server-arg --scheduler --server-arg tracing
              --agent JAR|auto      run the server under the Loom Tracer agent (auto: the one built in
                                    carrier-hooks/target), so the JDK's scheduler is traced
            Prints per-configuration throughput and latency percentiles, and the ratios to "off".
            """;

    static int main(String[] args, PrintStream out, PrintStream err) throws Exception {
        int rounds = 5, seconds = 5, warmup = 10, connections = 32;
        List<String> workloads = List.of("hello", "work");
        String stacks = "off";
        List<String> serverJvmArgs = new ArrayList<>();
        Path agent = null;
        List<String> serverArgs = new ArrayList<>(List.of("--port", "0", "--debug"));
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "-h", "--help" -> {
                        out.print(USAGE);
                        return 0;
                    }
                    case "--rounds" -> rounds = bounded(val(args, ++i, a), a, 1, 100);
                    case "--seconds" -> seconds = bounded(val(args, ++i, a), a, 1, 120);
                    case "--warmup" -> warmup = bounded(val(args, ++i, a), a, 0, 300);
                    case "--connections" -> connections = bounded(val(args, ++i, a), a, 1, LoadGenerator.MAX_CONNECTIONS);
                    case "--workloads" -> workloads = Arrays.asList(val(args, ++i, a).split(","));
                    case "--stacks" -> stacks = val(args, ++i, a);
                    case "--server-jvm-arg" -> serverJvmArgs.add(val(args, ++i, a));
                    case "--server-arg" -> serverArgs.add(val(args, ++i, a));
                    case "--agent" -> {
                        String v = val(args, ++i, a);
                        agent = v.equals("auto") ? dev.loomtracer.hooks.agent.AgentJarLookup.find() : Path.of(v);
                        if (!Files.isRegularFile(agent)) {
                            throw new IllegalArgumentException("--agent: no such file " + agent);
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            dev.loomtracer.debug.DebugEndpoints.stacks(stacks);
            for (String w : workloads) {
                path(w);
            }
        } catch (IllegalArgumentException e) {
            err.println("harness: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }

        try (ServerProcess server = ServerProcess.start(agent, serverJvmArgs, serverArgs, err)) {
            out.printf(Locale.ROOT, "harness: server pid %d on 127.0.0.1:%d, JVM options %s, server options %s%n", server.pid(),
                    server.port, server.jvmOptions, serverArgs);
            out.printf(Locale.ROOT, "harness: %d rounds x %d configurations x %d s, %d connections, trace stacks=%s, %d cores%n",
                    rounds, Config.values().length, seconds, connections, stacks, Runtime.getRuntime().availableProcessors());
            for (String w : workloads) {
                runWorkload(server, w, rounds, seconds, warmup, connections, stacks, out);
            }
        }
        return 0;
    }

    private static void runWorkload(ServerProcess server, String workload, int rounds, int seconds, int warmup,
                                    int connections, String stacks, PrintStream out) throws Exception {
        Map<String, Integer> mix = Map.of(path(workload), 1);
        out.printf(Locale.ROOT, "%n== workload %s (GET %s) ==%n", workload, path(workload));
        if (warmup > 0) {
            LoadGenerator.Result w = LoadGenerator.run(new LoadGenerator.Options(server.port, Duration.ofSeconds(warmup),
                    connections, mix, 0));
            out.printf(Locale.ROOT, "warm-up: %.0f req/s%n", w.throughput());
        }
        Map<Config, List<LoadGenerator.Result>> results = new EnumMap<>(Config.class);
        Map<Config, List<Double>> ratios = new EnumMap<>(Config.class);
        Map<Config, List<Double>> cpuPerRequest = new EnumMap<>(Config.class);
        Map<Config, List<Double>> cpuRatios = new EnumMap<>(Config.class);
        List<String> traceRates = new ArrayList<>();
        Config[] all = Config.values();
        for (int r = 0; r < rounds; r++) {
            Map<Config, LoadGenerator.Result> round = new EnumMap<>(Config.class);
            Map<Config, Double> roundCpu = new EnumMap<>(Config.class);
            for (int k = 0; k < all.length; k++) {
                Config c = all[(k + r) % all.length];
                LoadGenerator.Options o = new LoadGenerator.Options(server.port, Duration.ofSeconds(seconds), connections, mix, 0);
                long[] cpu = new long[2];
                LoadGenerator.Result res = switch (c) {
                    case OFF -> measured(server, cpu, () -> LoadGenerator.run(o));
                    case TRACE -> underTrace(server, o, seconds, stacks, traceRates, cpu);
                    case FLIGHT -> underFlight(server, o, stacks, cpu);
                };
                double us = (cpu[1] - cpu[0]) / 1e3 / Math.max(1, res.requests());
                round.put(c, res);
                roundCpu.put(c, us);
                results.computeIfAbsent(c, x -> new ArrayList<>()).add(res);
                cpuPerRequest.computeIfAbsent(c, x -> new ArrayList<>()).add(us);
                out.printf(Locale.ROOT, "round %d %-6s %8.0f req/s  server CPU %6.1f us/request  p50 %6.3f ms  p99 %6.3f ms  errors %d%n",
                        r + 1, c, res.throughput(), us, res.latencyMillis(0.5), res.latencyMillis(0.99), res.errors());
            }
            for (Config c : all) {
                ratios.computeIfAbsent(c, x -> new ArrayList<>()).add(round.get(c).throughput() / round.get(Config.OFF).throughput());
                cpuRatios.computeIfAbsent(c, x -> new ArrayList<>()).add(roundCpu.get(c) / roundCpu.get(Config.OFF));
            }
        }
        out.printf(Locale.ROOT, "%nsummary, workload %s (%d rounds; medians over rounds):%n", workload, rounds);
        out.printf(Locale.ROOT, "| config | req/s | throughput ratio to off | server CPU us/request | CPU ratio to off | p50 ms | p90 ms | p99 ms | p99.9 ms |%n");
        out.printf(Locale.ROOT, "|---|---:|---:|---:|---:|---:|---:|---:|---:|%n");
        for (Config c : all) {
            List<LoadGenerator.Result> rs = results.get(c);
            out.printf(Locale.ROOT, "| %s | %.0f | %.3f (%.2f-%.2f) | %.1f | %.3f (%.2f-%.2f) | %.3f | %.3f | %.3f | %.3f |%n",
                    label(c), median(rs.stream().map(LoadGenerator.Result::throughput).toList()),
                    median(ratios.get(c)), min(ratios.get(c)), max(ratios.get(c)),
                    median(cpuPerRequest.get(c)), median(cpuRatios.get(c)), min(cpuRatios.get(c)), max(cpuRatios.get(c)),
                    median(rs.stream().map(x -> x.latencyMillis(0.5)).toList()),
                    median(rs.stream().map(x -> x.latencyMillis(0.9)).toList()),
                    median(rs.stream().map(x -> x.latencyMillis(0.99)).toList()),
                    median(rs.stream().map(x -> x.latencyMillis(0.999)).toList()));
        }
        out.printf(Locale.ROOT, "throughput loss with tracing on: %.1f %% (target <= 2 %%); with the flight recorder: %.1f %%%n",
                100 * (1 - median(ratios.get(Config.TRACE))), 100 * (1 - median(ratios.get(Config.FLIGHT))));
        out.printf(Locale.ROOT, "server CPU per request with tracing on: %+.1f %%; with the flight recorder: %+.1f %%%n",
                100 * (median(cpuRatios.get(Config.TRACE)) - 1), 100 * (median(cpuRatios.get(Config.FLIGHT)) - 1));
        out.printf(Locale.ROOT, "streamed trace sizes: %s%n", traceRates);
    }

    private static String label(Config c) {
        return switch (c) {
            case OFF -> "tracing off";
            case TRACE -> "streamed trace (/debug/trace)";
            case FLIGHT -> "flight recorder";
        };
    }

    private static String path(String workload) {
        return switch (workload) {
            case "hello" -> "/hello";
            case "work" -> "/work";
            default -> throw new IllegalArgumentException("unknown workload '" + workload + "' (hello, work)");
        };
    }

    /** Runs the load while a /debug/trace request streams a trace that covers all of it. */
    private static LoadGenerator.Result underTrace(ServerProcess server, LoadGenerator.Options o, int seconds, String stacks,
                                                   List<String> traceRates, long[] cpu) throws Exception {
        double traceSeconds = seconds + 1.5;
        AtomicLong bytes = new AtomicLong();
        AtomicReference<Object> started = new AtomicReference<>();
        Thread reader = Thread.ofVirtual().name("harness-trace-reader").start(() -> {
            try {
                HttpURLConnection c = (HttpURLConnection) server.uri("/debug/trace?seconds=" + traceSeconds + "&stacks=" + stacks)
                        .toURL().openConnection();
                c.setReadTimeout(60_000);
                int status = c.getResponseCode();
                if (status != 200) {
                    started.set(new IOException("/debug/trace answered " + status + ": " + readAll(c.getErrorStream())));
                    return;
                }
                started.set(Boolean.TRUE);
                try (InputStream in = c.getInputStream()) {
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        bytes.addAndGet(n);
                    }
                }
            } catch (IOException e) {
                started.compareAndSet(null, e);
            }
        });
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (started.get() == null && System.nanoTime() < waitUntil) {
            Thread.sleep(10);
        }
        if (started.get() != Boolean.TRUE) {
            throw new IllegalStateException("the streamed trace did not start: " + started.get());
        }
        Thread.sleep(250); // the tracer is on once the response has begun; let it settle
        LoadGenerator.Result r = measured(server, cpu, () -> LoadGenerator.run(o));
        reader.join(Duration.ofSeconds(70));
        traceRates.add(String.format(Locale.ROOT, "%.1f MiB in %.1f s", bytes.get() / 1048576.0, traceSeconds));
        return r;
    }

    /** Runs the load with the flight recorder on, then checks a snapshot can be taken, then stops it. */
    private static LoadGenerator.Result underFlight(ServerProcess server, LoadGenerator.Options o, String stacks, long[] cpu)
            throws IOException {
        server.post("/debug/flight/start?stacks=" + stacks);
        try {
            LoadGenerator.Result r = measured(server, cpu, () -> LoadGenerator.run(o));
            HttpURLConnection c = (HttpURLConnection) server.uri("/debug/flight").toURL().openConnection();
            if (c.getResponseCode() != 200) {
                throw new IOException("/debug/flight answered " + c.getResponseCode() + ": " + readAll(c.getErrorStream()));
            }
            try (InputStream in = c.getInputStream()) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            return r;
        } finally {
            server.post("/debug/flight/stop");
        }
    }

    /** Runs {@code load}, recording the server process's CPU time (ns) before and after in cpu[0], cpu[1]. */
    private static LoadGenerator.Result measured(ServerProcess server, long[] cpu, java.util.function.Supplier<LoadGenerator.Result> load) {
        cpu[0] = server.cpuNanos();
        LoadGenerator.Result r = load.get();
        cpu[1] = server.cpuNanos();
        return r;
    }

    private static double min(List<Double> xs) {
        return xs.stream().mapToDouble(d -> d).min().orElse(Double.NaN);
    }

    private static double max(List<Double> xs) {
        return xs.stream().mapToDouble(d -> d).max().orElse(Double.NaN);
    }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(d -> d).sorted().toArray();
        if (a.length == 0) {
            return Double.NaN;
        }
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static String readAll(InputStream in) throws IOException {
        if (in == null) {
            return "";
        }
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }

    private static String val(String[] args, int i, String opt) {
        if (i >= args.length) {
            throw new IllegalArgumentException(opt + " needs a value");
        }
        return args[i];
    }

    private static int bounded(String v, String opt, int min, int max) {
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new IllegalArgumentException(opt + " must be between " + min + " and " + max + ", got " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + " needs a whole number, got '" + v + "'");
        }
    }

    /**
     * The example server in a child JVM: the same java, class path and tracer JVM options as this
     * one (plus {@code extraJvmArgs}), {@code --port 0 --debug}; its port is read from its first line.
     */
    static final class ServerProcess implements AutoCloseable {
        final Process process;
        final int port;
        final List<String> jvmOptions;
        final Path log;

        private ServerProcess(Process process, int port, List<String> jvmOptions, Path log) {
            this.process = process;
            this.port = port;
            this.jvmOptions = jvmOptions;
            this.log = log;
        }

        static ServerProcess start(List<String> extraJvmArgs, List<String> serverArgs, PrintStream err)
                throws IOException, InterruptedException {
            return start(null, extraJvmArgs, serverArgs, err);
        }

        /**
         * As {@link #start(List, List, PrintStream)}, under the Loom Tracer agent if {@code agentJar}
         * is not null: {@code -javaagent}, and the agent jar first on the class path (the JVM loads
         * the agent's main class through the class path, and the agent must find itself in its jar).
         */
        static ServerProcess start(Path agentJar, List<String> extraJvmArgs, List<String> serverArgs, PrintStream err)
                throws IOException, InterruptedException {
            ProcessBuilder pb = command(agentJar, extraJvmArgs, serverArgs);
            List<String> jvm = jvmOptions(agentJar, extraJvmArgs);
            Path log = Files.createTempFile("example-server", ".log");
            pb.redirectError(log.toFile());
            Process p = pb.start(); // stdin stays a pipe from this JVM: see --exit-on-stdin-eof
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = r.readLine();
            String prefix = "example-server: listening on http://127.0.0.1:";
            if (first == null || !first.startsWith(prefix)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new IOException("the server did not start (first line: " + first + "); its log:\n" + Files.readString(log));
            }
            Thread.ofPlatform().daemon().name("server-stdout").start(() -> {
                try {
                    r.transferTo(java.io.Writer.nullWriter());
                } catch (IOException e) {
                    // the server went away
                }
            });
            return new ServerProcess(p, Integer.parseInt(first.substring(prefix.length()).strip()), jvm, log);
        }

        /** The JVM options of a child server: this JVM's tracer options and heap size, the agent's, the extra ones. */
        static List<String> jvmOptions(Path agentJar, List<String> extraJvmArgs) {
            List<String> jvm = new ArrayList<>();
            for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                // The tracer's module options and memory settings carry over; agents and debuggers do not.
                if (a.startsWith("--add-") || a.startsWith("--enable-native-access") || a.startsWith("-Xmx")) {
                    jvm.add(a);
                }
            }
            if (agentJar != null) {
                jvm.addAll(AgentJar.jvmOptions(agentJar));
            }
            jvm.addAll(extraJvmArgs);
            return jvm;
        }

        /**
         * The command of a child server: this JVM's java and class path (the agent jar first, if
         * any: the JVM loads the agent's main class through the class path, and the agent must
         * find itself in its jar), {@code --exit-on-stdin-eof} (it exits when its parent goes away
         * and closes its stdin), then {@code serverArgs}.
         */
        static ProcessBuilder command(Path agentJar, List<String> extraJvmArgs, List<String> serverArgs) {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(jvmOptions(agentJar, extraJvmArgs));
            cmd.add("-cp");
            cmd.add((agentJar == null ? "" : agentJar.toAbsolutePath() + java.io.File.pathSeparator)
                    + System.getProperty("java.class.path"));
            cmd.add(ExampleServer.class.getName());
            cmd.add("--exit-on-stdin-eof");
            cmd.addAll(serverArgs);
            return new ProcessBuilder(cmd);
        }

        long pid() {
            return process.pid();
        }

        /** CPU time the server process has used (user + system), in nanoseconds. */
        long cpuNanos() {
            return process.info().totalCpuDuration().orElseThrow(
                    () -> new IllegalStateException("this OS does not report a process's CPU time")).toNanos();
        }

        URI uri(String pathAndQuery) {
            return URI.create("http://127.0.0.1:" + port + pathAndQuery);
        }

        String post(String path) throws IOException {
            HttpURLConnection c = (HttpURLConnection) uri(path).toURL().openConnection();
            c.setRequestMethod("POST");
            int status = c.getResponseCode();
            String body = readAll(status < 400 ? c.getInputStream() : c.getErrorStream());
            if (status != 200) {
                throw new IOException("POST " + path + " answered " + status + ": " + body);
            }
            return body;
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy(); // SIGTERM: the shutdown hook stops Jetty and the tracer
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
