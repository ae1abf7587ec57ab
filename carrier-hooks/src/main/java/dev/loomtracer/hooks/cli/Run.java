package dev.loomtracer.hooks.cli;

import dev.loomtracer.hooks.agent.AgentJarLookup;
import dev.loomtracer.hooks.agent.AgentMain;
import dev.loomtracer.hooks.agent.AgentOptions;
import dev.loomtracer.hooks.agent.PatchedJdk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code ./loomtrace run [-o FILE] [options] -- <java arguments>}: runs any Java program with
 * its virtual threads traced by the Loom Tracer agent, with the same JDK as this command.
 *
 * <p>It adds {@code -javaagent:<agent jar>=output=FILE,...}; with {@code --no-jvmti} also
 * {@code -XX:+UnlockExperimentalVMOptions -XX:-DoJVMTIVirtualThreadTransitions}, which removes the
 * JVMTI mount/unmount tracking every agent turns on, but which on JDK 25 can deadlock virtual
 * threads contending for a monitor (docs/CAPTURE.md), so it is never the default. With
 * {@code --patch} there is no agent at all: the instrumented JDK classes are built at launch
 * from this JDK and patched into java.base ({@link dev.loomtracer.hooks.agent.PatchedJdk}), which
 * removes that tracking's cost safely. The trace is written when the program exits; the exit
 * status is the program's.
 */
public final class Run {
    private Run() {}

    static final String USAGE = """
            usage: ./loomtrace run [-o FILE] [--stacks off|on-block|every-block|all] [--flight DURATION|SIZE|DURATION/SIZE]
                                   [--no-jvmti] [--agent JAR] -- <java arguments>

            Runs `java <java arguments>` (same JDK) with its virtual threads traced by the Loom Tracer agent,
            and writes the trace to FILE (default run.trace) when the program exits.

              -o, --output FILE   the trace file (default run.trace)
              --stacks MODE       stacks on events: off (default), on-block (sampled), every-block, all
              --flight SPEC       flight recorder: keep only the last DURATION (30s, 2m) and/or SIZE (64MiB) of
                                  trace, written at exit, or on demand via JMX dev.loomtracer:type=FlightRecorder
              --no-jvmti          also turn off the JVM's JVMTI virtual-thread transition tracking (saves ~90 ns
                                  per mount and unmount) -- UNSAFE on JDK 25: virtual threads contending for a
                                  monitor can deadlock under it; for measurements, not for production
              --patch             no agent: patch the instrumented JDK classes into java.base instead
                                  (--patch-module; built now from this JDK). No JVMTI environment, so no
                                  per-transition JVMTI cost and no experimental option; java.base then runs
                                  without class data sharing (a slower start)
              --agent JAR         the agent jar (default: the one this build made, carrier-hooks/target/*-agent.jar)

            example: ./loomtrace run -o app.trace -- -cp app.jar com.example.Main arg1
                     go tool trace app.trace
            """;

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    static int run(String[] args) throws Exception {
        try {
            return runChecked(args);
        } catch (UsageException e) {
            return usageError(e.getMessage());
        }
    }

    /** A command line this command cannot run: exit 2 with the usage. */
    private static final class UsageException extends Exception {
        UsageException(String message) {
            super(message, null, false, false);
        }
    }

    private static int runChecked(String[] args) throws Exception {
        String output = "run.trace";
        String stacks = null;
        String flight = null;
        String agent = null;
        boolean noJvmti = false;
        boolean patch = false;
        List<String> javaArgs = new ArrayList<>();
        int i = 0;
        for (; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                i++;
                break;
            }
            if (a.equals("-h") || a.equals("--help")) {
                System.out.print(USAGE);
                return 0;
            }
            String value = null;
            String key = a;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                key = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            switch (key) {
                case "-o", "--output" -> output = value != null ? value : next(args, ++i, key);
                case "--stacks" -> stacks = value != null ? value : next(args, ++i, key);
                case "--flight" -> flight = value != null ? value : next(args, ++i, key);
                case "--agent" -> agent = value != null ? value : next(args, ++i, key);
                case "--no-jvmti" -> noJvmti = true;
                case "--patch" -> patch = true;
                default -> {
                    if (a.startsWith("-") && javaArgs.isEmpty() && isRunOption(a)) {
                        return usageError("unknown option " + a);
                    }
                    // No "--": the Java arguments start here.
                    javaArgs.addAll(List.of(args).subList(i, args.length));
                    i = args.length;
                }
            }
        }
        if (i < args.length) {
            javaArgs.addAll(List.of(args).subList(i, args.length));
        }
        if (javaArgs.isEmpty()) {
            return usageError("no Java program given: put its java arguments after --");
        }
        Path jar;
        try {
            jar = agent != null ? Path.of(agent) : AgentJarLookup.find();
        } catch (IllegalStateException e) {
            System.err.println("loomtrace run: " + e.getMessage());
            return 2;
        }
        if (!Files.isRegularFile(jar)) {
            System.err.println("loomtrace run: the agent jar " + jar + " does not exist");
            return 2;
        }
        Path out;
        try {
            out = Path.of(output).toAbsolutePath();
        } catch (java.nio.file.InvalidPathException e) {
            throw new UsageException("bad output file '" + output + "': " + e.getReason());
        }
        StringBuilder agentArgs = new StringBuilder("output=").append(out);
        if (stacks != null) {
            agentArgs.append(",stacks=").append(stacks);
        }
        if (flight != null) {
            agentArgs.append(",flight=").append(flight);
        }
        if (agentArgs.toString().contains(",,") || out.toString().contains(",")) {
            System.err.println("loomtrace run: the output path must not contain a comma: " + out);
            return 2;
        }
        // The agent would run the program anyway (untraced, or with a default): refuse here, before it starts.
        List<AgentOptions.Problem> problems = AgentOptions.parse(agentArgs.toString()).problems();
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.err.println("loomtrace run: " + p.what()));
            return 2;
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        if (patch) {
            // No agent: the instrumented JDK classes, built now from this very JDK, patched into java.base.
            Path dir = Files.createTempDirectory("loomtrace-patch");
            try {
                PatchedJdk.build(Path.of(System.getProperty("java.home")), dir);
            } catch (IllegalStateException e) {
                System.err.println("loomtrace run: --patch: " + e.getMessage());
                return 2;
            }
            deleteOnExit(dir);
            cmd.addAll(PatchedJdk.jvmOptions(dir, jar, agentArgs.toString()));
            cmd.addAll(javaArgs);
            return runChild(cmd, out, stacks);
        }
        if (noJvmti) {
            System.err.println("loomtrace run: --no-jvmti: on JDK 25 virtual threads contending for a monitor can deadlock"
                    + " under " + String.join(" ", AgentMain.NO_JVMTI_TRANSITIONS));
            cmd.addAll(AgentMain.NO_JVMTI_TRANSITIONS);
        }
        // On the boot class path from the start: appended at run time, it would turn off class
        // data sharing for the program's classes (and the JVM would say so).
        cmd.add("-Xbootclasspath/a:" + jar.toAbsolutePath());
        cmd.add("-javaagent:" + jar.toAbsolutePath() + "=" + agentArgs);
        cmd.addAll(javaArgs);
        return runChild(cmd, out, stacks);
    }

    /**
     * What {@code go tool trace}'s profiles can show of a trace recorded with {@code --stacks mode}
     * (null: the default, off). Go counts a wait in a profile only from an event with a stack to the
     * thread's next event with a stack (Go's {@code cmd/trace/pprof.go}); docs/CAPTURE.md, "Go's profiles".
     */
    static String profilesNote(String mode) {
        String m = mode == null ? "off" : mode;
        return switch (m) {
            case "all" -> "go tool trace's sync and net profiles show every wait; its syscall and sched profiles end a wait"
                    + " at the thread's next event with a stack (its next block or yield), so read them as upper bounds";
            case "on-block", "every-block" -> "with --stacks " + m + " only blocks have stacks (with on-block, one block in "
                    + dev.loomtracer.TraceOptions.Stacks.SAMPLE_ONE_IN + " at random), and go tool trace counts a wait only up to"
                    + " an event with a stack: its sync, net, syscall and sched profiles will be empty or partial;"
                    + " record with --stacks all for the sync and net profiles";
            default -> "no stacks (--stacks " + m + "): go tool trace's profiles (sync, net, syscall, sched) will be empty;"
                    + " record with --stacks all for the sync and net profiles";
        };
    }

    private static int runChild(List<String> cmd, Path out, String stacks) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        // Ctrl-C reaches the program too; wait for it to write its trace before returning the terminal.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        int rc = p.waitFor();
        int sig = rc - 128;
        if (sig == 9 || sig == 6) {
            // Killed (SIGKILL), or the JVM aborted (SIGABRT, a crash): no shutdown hook ran, so the
            // file ends at the last generation the agent had written and what came after is missing.
            // (On SIGTERM or SIGINT the JVM runs its hooks: the trace is complete.)
            System.err.println("loomtrace run: the program was killed (signal " + sig + (sig == 9 ? ", SIGKILL" : ", SIGABRT")
                    + ")" + (Files.isRegularFile(out) ? ": " + out + " ends at the last complete generation; the last period"
                    + " before the kill (up to one generation, 1 s by default) is missing" : "; no trace was written"));
            return rc;
        }
        if (Files.isRegularFile(out)) {
            System.err.println("loomtrace run: trace in " + out + " (check it with: ./loomtrace validate " + out + ")");
            System.err.println("loomtrace run: " + dev.loomtracer.cli.GoTool.openHint(out).replace("\n", "\nloomtrace run: "));
            System.err.println("loomtrace run: " + profilesNote(stacks));
        } else {
            System.err.println("loomtrace run: the program wrote no trace (" + out + ")");
        }
        return rc;
    }

    private static void deleteOnExit(Path dir) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary directory left behind
            }
        }));
    }

    private static boolean isRunOption(String a) {
        return a.startsWith("--") && !a.startsWith("--add-") && !a.startsWith("--enable-") && !a.startsWith("--module")
                && !a.startsWith("--class-path") && !a.startsWith("--source") && !a.startsWith("--patch");
    }

    private static String next(String[] args, int i, String option) throws UsageException {
        if (i >= args.length || args[i].equals("--")) {
            throw new UsageException("option " + option + " needs a value");
        }
        return args[i];
    }

    private static int usageError(String msg) {
        System.err.println("loomtrace run: " + msg);
        System.err.print(USAGE);
        return 2;
    }

    /** The java of this JDK (the launcher picked a JDK 25 or newer). */
    static String javaBinary() {
        Optional<String> self = ProcessHandle.current().info().command();
        if (self.isPresent() && Files.isExecutable(Path.of(self.get()))) {
            return self.get();
        }
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
