package dev.loomtracer.cli;

import dev.loomtracer.LoomTrace;
import dev.loomtracer.Region;
import dev.loomtracer.Task;
import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import dev.loomtracer.parse.TraceFormatException;
import dev.loomtracer.parse.TraceSummary;
import dev.loomtracer.report.HtmlReport;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code loomtrace demo [-o FILE] [--requests N] [--no-agent]}: traces a bundled virtual-thread
 * workload with the public API, under the Loom Tracer agent (found in the build; the demo runs
 * itself again in a child JVM with it), writes the trace, validates it, prints a summary
 * with the number of blocks per reason, and writes the trace's HTML report beside it
 * ({@code demo.trace} -> {@code demo.html}).
 *
 * <p>The workload is a toy request server: each request is a {@link Task} on its own virtual
 * thread, with regions for its phases, a log of its outcome, a shared lock, a queue hand-off to
 * a worker, and short sleeps. Invariant: exit 0 only if the trace it wrote is valid and its report written.
 */
public final class Demo {
    private Demo() {}

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    static final String USAGE = "usage: loomtrace demo [-o FILE] [--requests N] [--no-agent]";
    /** The capture layer's agent jar lookup (carrier-hooks' {@code AgentJarLookup}). */
    private static final String AGENT_LOOKUP = "dev.loomtracer.hooks.agent.AgentJarLookup";

    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Path file = Path.of("demo.trace");
        int requests = 2000;
        boolean noAgent = false;
        for (int i = 0; i < args.length; i++) {
            try {
                switch (args[i]) {
                    case "-o" -> file = Path.of(need(args, ++i, "-o"));
                    case "--requests" -> requests = Integer.parseInt(need(args, ++i, "--requests"));
                    case "--no-agent" -> noAgent = true;
                    case "-h", "--help" -> {
                        out.println(USAGE);
                        out.println("  Runs a toy request server on virtual threads under the Loom Tracer agent (so every");
                        out.println("  virtual thread's scheduling is traced), writes the trace, validates it, prints a summary,");
                        out.println("  and writes its HTML report beside it (demo.trace -> demo.html).");
                        out.println("  --no-agent traces in this JVM without the agent: tasks, regions and logs only.");
                        return 0;
                    }
                    default -> {
                        err.println("demo: unknown option " + args[i] + "\n" + USAGE);
                        return 2;
                    }
                }
            } catch (IllegalArgumentException e) {
                err.println("demo: " + e.getMessage() + "\n" + USAGE);
                return 2;
            }
        }
        if (requests < 1) {
            err.println("demo: --requests must be at least 1");
            return 2;
        }
        String cannot = cannotWrite(file);
        if (cannot != null) {
            err.println("demo: cannot write " + file + ": " + cannot);
            return 1;
        }
        boolean underAgent = underAgent();
        if (!underAgent && !noAgent) {
            Path jar = agentJar();
            if (jar != null) {
                return relaunchUnderAgent(jar, args);
            }
            out.println("note: no Loom Tracer agent jar found (build it with ./loomtrace build, or set LOOMTRACE_AGENT);"
                    + " tracing tasks, regions and logs only");
        }

        out.printf("Tracing %d requests on virtual threads into %s%s ...%n", requests, file,
                underAgent ? " (scheduling captured by the Loom Tracer agent)" : "");
        TraceResult result;
        OutputStream opened;
        try {
            opened = Files.newOutputStream(file);
        } catch (IOException e) {
            err.println("demo: cannot write " + file + ": " + e); // checked above; the file system changed since
            return 1;
        }
        try (OutputStream os = opened) {
            LoomTrace.start(os, TraceOptions.defaults().generationPeriod(Duration.ofMillis(200))
                    .stacks(TraceOptions.Stacks.ON_BLOCK));
            try {
                workload(requests);
            } finally {
                result = LoomTrace.stop();
            }
        }
        TraceSummary s;
        try {
            s = TraceSummary.of(file);
        } catch (TraceFormatException e) {
            err.println("demo: the trace is INVALID: " + e.getMessage());
            return 1;
        }
        out.println();
        out.printf("  generations       %d%n", s.generations());
        out.printf("  events            %d%n", s.events());
        dev.loomtracer.parse.TraceThreads who = s.threadsSeen();
        out.printf("  virtual threads   %d%n", who.virtualThreads().size());
        out.printf("  carriers          %d (%s)%n", who.carriers().size(), names(who, who.carriers()));
        out.printf("  platform threads  %d that emitted events outside the scheduler (%s)%n", who.platformThreads().size(),
                names(who, who.platformThreads()));
        out.printf("  bytes             %d (%.1f bytes/event)%n", s.bytes(), s.bytes() / (double) Math.max(1, s.events()));
        if (!s.blockReasons().isEmpty()) {
            out.println("  blocked, by reason:");
            for (Map.Entry<String, Long> e : s.blockReasons().entrySet()) {
                out.printf("    %-40s %d%n", e.getKey(), e.getValue());
            }
        }
        if (!result.complete()) {
            out.printf("  lost events       %d, inconsistent %d, nested %d%n", result.lostEvents(), result.inconsistentEvents(),
                    result.nestedEvents());
        }
        out.println();
        out.println(file + " is valid. " + GoTool.openHint(file));
        Path html = htmlBeside(file);
        try {
            Report.write(html, HtmlReport.render(file, HtmlReport.Options.named(file.getFileName().toString())));
        } catch (IOException | RuntimeException e) {
            err.println("demo: could not write the report " + html + ": " + e);
            return 1;
        }
        out.println("Its report, where the requests spent their time: " + html.toAbsolutePath().toUri());
        return 0;
    }

    /** Why {@code file} cannot be written (created or replaced), or null if it can. */
    static String cannotWrite(Path file) {
        Path p = file.toAbsolutePath();
        Path dir = p.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return "no such directory " + dir;
        }
        if (Files.isDirectory(p)) {
            return "it is a directory";
        }
        if (Files.exists(p) ? !Files.isWritable(p) : !Files.isWritable(dir)) {
            return (Files.exists(p) ? p : dir) + " is not writable";
        }
        return null;
    }

    /** {@code demo.trace} -> {@code demo.html} in the same directory (else FILE.html). */
    static Path htmlBeside(Path trace) {
        String name = trace.getFileName().toString();
        String base = name.endsWith(".trace") ? name.substring(0, name.length() - ".trace".length()) : name;
        return trace.resolveSibling(base + ".html");
    }

    /** The threads' names, or ids where the trace named none. */
    private static String names(dev.loomtracer.parse.TraceThreads who, java.util.Set<Long> ids) {
        return ids.stream().map(id -> who.nameOr(id, "thread " + id)).sorted().collect(java.util.stream.Collectors.joining(", "));
    }

    private static boolean underAgent() {
        return Boolean.getBoolean(CHILD_PROPERTY) || java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()
                .stream().anyMatch(a -> a.startsWith("-javaagent:") && a.contains("carrier-hooks"));
    }

    /** Set on the child JVM the demo relaunches under the agent, so that it never relaunches again. */
    private static final String CHILD_PROPERTY = "loomtrace.demo.underAgent";

    /**
     * The agent jar, found by the capture layer's lookup ({@value #AGENT_LOOKUP}, carrier-hooks:
     * this module sits below it and names it only here, by class name), or null if that module
     * is not on the class path or finds no agent jar.
     */
    static Path agentJar() {
        try {
            return (Path) Class.forName(AGENT_LOOKUP).getMethod("find").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;   // no capture layer here, or no agent jar (its IllegalStateException, wrapped)
        }
    }

    /** Runs this demo again in a child JVM with the same options plus the agent; returns its exit status. */
    private static int relaunchUnderAgent(Path jar, String[] args) throws Exception {
        String javaCommand = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(javaCommand);
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        // On the boot class path from the start: appended by the agent at run time, the JVM would
        // turn class data sharing off for the application's classes and print a warning.
        cmd.add("-Xbootclasspath/a:" + jar);
        cmd.add("-javaagent:" + jar);
        cmd.add("-D" + CHILD_PROPERTY + "=true");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Demo.class.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).inheritIO().start().waitFor();
    }

    private static String need(String[] args, int i, String opt) {
        if (i >= args.length) {
            throw new IllegalArgumentException(opt + " needs a value");
        }
        return args[i];
    }

    /** The demos' toy request server (this command's, jfr-bridge's LiveDemo's): requests on virtual threads, a lock, a queue to a worker, sleeps. */
    public static void workload(int requests) throws InterruptedException {
        ReentrantLock cacheLock = new ReentrantLock();
        BlockingQueue<Runnable> work = new ArrayBlockingQueue<>(16);
        Thread worker = Thread.ofVirtual().name("worker").start(() -> {
            try {
                for (;;) {
                    work.take().run();
                }
            } catch (InterruptedException e) {
                // done
            }
        });
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            int id = i;
            threads.add(Thread.ofVirtual().name("request-" + i).start(() -> serve(id, cacheLock, work)));
            if (i % 200 == 199) {
                Thread.sleep(20); // arrivals in waves
            }
        }
        for (Thread t : threads) {
            t.join();
        }
        worker.interrupt();
        worker.join();
    }

    private static void serve(int id, ReentrantLock cacheLock, BlockingQueue<Runnable> work) {
        try (Task task = Task.begin("request")) {
            try (Region r = task.region("parse")) {
                spin(2_000);
            }
            try (Region r = task.region("cache")) {
                cacheLock.lock();
                try {
                    spin(1_000);
                } finally {
                    cacheLock.unlock();
                }
            }
            try (Region r = task.region("backend")) {
                Thread.sleep(1 + id % 3);
                java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
                work.put(done::countDown);
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            task.log("status", id % 50 == 0 ? "slow" : "ok");
        }
    }

    private static long sink;

    private static void spin(int iterations) {
        long x = 0;
        for (int i = 0; i < iterations; i++) {
            x += i * 31L;
        }
        sink += x;
    }
}
