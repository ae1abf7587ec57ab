package dev.loomtracer.hooks.agent;

import dev.loomtracer.FlightRecorder;
import dev.loomtracer.LoomTrace;
import dev.loomtracer.TraceResult;
import dev.loomtracer.debug.DebugConfig;
import dev.loomtracer.debug.DebugEndpoints;
import dev.loomtracer.debug.TraceControl;
import dev.loomtracer.trigger.FlightTriggers;
import dev.loomtracer.hooks.core.Capture;
import dev.loomtracer.hooks.core.VThreads;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.ObjectName;

/**
 * The agent, on the boot class path: opens the JDK internals the tracer needs, instruments
 * {@code VirtualThread}, and (with {@code output=FILE}) traces the whole run into the file,
 * written on JVM exit by a shutdown hook.
 *
 * <p>Invariant: {@link #start} never throws; by the time it returns, either every hook is
 * installed or none is (and a message says why); the trace, if any, starts after the hooks, so that its first
 * generation already sees every transition.
 */
public final class AgentMain {
    private AgentMain() {}

    /**
     * The JVM options that remove the JVMTI mount/unmount cost every agent otherwise adds. Never
     * used by default: on JDK 25 virtual threads contending for a monitor can deadlock under them.
     */
    public static final List<String> NO_JVMTI_TRANSITIONS =
            List.of("-XX:+UnlockExperimentalVMOptions", "-XX:-DoJVMTIVirtualThreadTransitions");

    private static volatile boolean started;

    /**
     * Installs the hooks and starts the trace the options ask for. Never throws: a bad option, a
     * JDK it cannot instrument or an output it cannot write is one line on stderr
     * ({@link AgentLog#problem}) and the program runs (untraced, or traced with the option's
     * default, as {@link AgentOptions} says).
     */
    public static synchronized void start(String args, Instrumentation inst) {
        if (AttachRequest.isAttach(args)) {
            startAttached(args, inst);
            return;
        }
        AgentOptions o = AgentOptions.parse(args);
        o.problems().forEach(p -> AgentLog.problem(p.toString()));
        if (started) {
            say(o, "already loaded; ignoring the second load");
            return;
        }
        started = true;
        try {
            install(inst, AgentLog::problem, o.quiet() ? null : msg -> say(o, msg));
        } catch (Exception | LinkageError e) {
            AgentLog.problem("cannot instrument this JVM (" + e + "); the program runs untraced");
            return;
        }
        if (o.output() != null || o.flight()) {
            startTrace(o);
        } else if (o.problems().isEmpty() && o.httpHost() == null) {
            say(o, "hooks installed; no output=FILE given, so nothing is traced until the program starts a trace"
                    + " (dev.loomtracer.LoomTrace, or loomtrace attach)");
        }
        if (o.httpHost() != null) {
            startHttp(o);
        }
    }

    /**
     * A load by {@code loomtrace attach}: installs the hooks the first time (a later attach reuses
     * them), then carries out the request on a thread of its own ({@link AttachSession}) and
     * returns at once. Nothing goes to the target's stdout or stderr: what the agent has to say goes
     * back to the tool.
     */
    private static void startAttached(String args, Instrumentation inst) {
        AttachRequest req;
        try {
            req = AttachRequest.parse(args);
        } catch (RuntimeException e) {
            return; // no port to answer on: the tool says the agent never connected back
        }
        List<String> notes = new ArrayList<>();
        if (!started) {
            started = true;
            try {
                install(inst, notes::add, notes::add);
            } catch (Exception | LinkageError e) {
                notes.add("cannot instrument this JVM (" + e + "): the trace holds no virtual-thread scheduling");
            }
        }
        AttachSession.start(req, notes);
    }

    /**
     * Installs the hooks; {@code problem} gets what the user should fix, {@code note} (if not null)
     * what the agent does.
     */
    private static void install(Instrumentation inst, java.util.function.Consumer<String> problem,
                                java.util.function.Consumer<String> note) throws Exception {
        openJdkInternals(inst);
        Capture.agentLoaded();
        Hooks.warmUp(); // initializes VThreads and the hooks now, not inside the first hook

        JdkTransformer tf = new JdkTransformer();
        inst.addTransformer(tf, true);
        List<Class<?>> targets = new ArrayList<>();
        targets.add(VThreads.VIRTUAL_THREAD);
        targets.add(java.util.concurrent.ForkJoinPool.class);
        for (String name : new String[] {"java.lang.VirtualThread$VThreadContinuation", "sun.nio.ch.Poller"}) {
            try {
                targets.add(Class.forName(name, false, null));
            } catch (ClassNotFoundException e) {
                // not in this JDK: its edits are optional refinements
            }
        }
        inst.retransformClasses(targets.toArray(new Class<?>[0]));
        for (Map.Entry<String, String> p : tf.problems().entrySet()) {
            problem.accept(p.getKey().replace('/', '.') + " not instrumented: " + p.getValue());
        }
        if (tf.problems().containsKey(JdkTransformer.VIRTUAL_THREAD)) {
            problem.accept("virtual threads will not be traced on this JDK (" + Runtime.version() + ")");
        }
        System.setProperty(AttachProtocol.AGENT_PROPERTY, "loaded");
        TraceControl.publish();
        if (note != null && jvmtiTransitionsOn()) {
            note.accept("note: every Java agent turns on the JVM's JVMTI virtual-thread transition "
                    + "tracking (~90 ns per mount and unmount, tracing or not); see docs/CAPTURE.md (the JVM option that "
                    + "removes it can deadlock virtual threads on JDK 25, so Loom Tracer does not use it)");
        }
    }

    /** Starts the streamed or flight-recorder trace; a failure is one line and the program runs untraced. */
    private static void startTrace(AgentOptions o) {
        try {
            if (o.flight()) {
                startFlight(o);
            } else {
                startStream(o);
            }
        } catch (IOException | RuntimeException | TraceControl.Busy e) {
            AgentLog.problem("cannot trace" + (o.output() == null ? "" : " to " + o.output()) + " (" + e.getMessage()
                    + "): the program runs untraced");
        }
    }

    /**
     * Serves the debug endpoints on the JDK's HTTP server. {@code DebugHttpServer} is loaded by
     * {@link HttpLoader}: the JDK's HTTP server is a platform-loader module, which classes on the
     * boot class path (this one) cannot see.
     */
    private static void startHttp(AgentOptions o) {
        String where = o.httpHost() + ":" + o.httpPort();
        try {
            DebugEndpoints endpoints = new DebugEndpoints(DebugConfig.defaults().withToken(o.httpToken()),
                    "the Loom Tracer agent", (trace, html) -> dev.loomtracer.report.HtmlReport.write(trace,
                            dev.loomtracer.report.HtmlReport.Options.named("Loom Tracer agent trace (pid "
                                    + ProcessHandle.current().pid() + ")"), html));
            Class<?> server = Class.forName(HttpLoader.SERVER, true, new HttpLoader());
            Object s = server.getMethod("start", InetSocketAddress.class, DebugEndpoints.class)
                    .invoke(null, new InetSocketAddress(o.httpHost(), o.httpPort()), endpoints);
            String uri = (String) server.getMethod("uri").invoke(s);
            System.setProperty(HTTP_PROPERTY, uri);
            say(o, "debug endpoints on " + uri + "/debug/ (trace, flight, report" + (o.httpToken() == null ? "; loopback clients only"
                    : "; token required") + ")");
        } catch (java.lang.reflect.InvocationTargetException e) {
            AgentLog.problem("cannot serve the debug endpoints on " + where + " (" + e.getCause() + "); the program runs");
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            AgentLog.problem("cannot serve the debug endpoints on " + where + " (" + e + "); the program runs");
        }
    }

    /** The system property holding the agent's debug endpoints' base URI, once they listen. */
    public static final String HTTP_PROPERTY = "loomtrace.http";

    /**
     * The start of a JVM whose java.base was patched with the instrumented classes
     * ({@link PatchedJdk}): no agent and no Instrumentation; the command line gave the module
     * options, and {@code -Dloomtrace.capture=OPTIONS} (the agent's options) named the trace. Called
     * from the hooks' initialization, i.e. at the first scheduling event of the program.
     */
    static synchronized void startPatched(String args) {
        if (started) {
            return;
        }
        started = true;
        AgentOptions o = AgentOptions.parse(args);
        o.problems().forEach(p -> AgentLog.problem("-D" + PatchedJdk.OPTIONS_PROPERTY + ": " + p));
        Capture.agentLoaded();
        if (o.output() != null) {
            startTrace(o);
        }
    }

    /**
     * java.base reads the boot class path's unnamed module (the instrumented JDK code calls the
     * hooks there), exports jdk.internal.misc, jdk.internal.vm and jdk.internal.access to it
     * (carrier-locals, Continuation.pin, the current carrier) and opens java.lang
     * (VirtualThread's state) and jdk.internal.vm (a continuation's task, to name new threads):
     * the user needs no flags.
     */
    private static void openJdkInternals(Instrumentation inst) {
        Module base = Object.class.getModule();
        Module me = AgentMain.class.getModule();
        Set<Module> us = Set.of(me);
        inst.redefineModule(base, us,
                Map.of("jdk.internal.misc", us, "jdk.internal.vm", us, "jdk.internal.access", us, "java.lang", us),
                Map.of("java.lang", us, "jdk.internal.vm", us),
                Set.of(), Map.of());
    }

    private static boolean jvmtiTransitionsOn() {
        try {
            String[] vmArgs = jdk.internal.misc.VM.getRuntimeArguments();
            for (String a : vmArgs) {
                if (a.equals("-XX:-DoJVMTIVirtualThreadTransitions")) {
                    return false;
                }
            }
        } catch (Throwable t) {
            // unknown: assume on
        }
        String tool = System.getenv("JAVA_TOOL_OPTIONS");
        String jdk = System.getenv("JDK_JAVA_OPTIONS");
        return !((tool != null && tool.contains("-XX:-DoJVMTIVirtualThreadTransitions"))
                || (jdk != null && jdk.contains("-XX:-DoJVMTIVirtualThreadTransitions")));
    }

    private static void startStream(AgentOptions o) throws IOException {
        Path out = o.output();
        FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        LoomTrace.start(ch, o.traceOptions());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                TraceResult r = LoomTrace.stop();
                ch.close();
                if (r != null && r.complete()) {
                    say(o, "wrote " + r.bytes() + " bytes (" + r.generations() + " generations) to " + out);
                } else if (r != null) {
                    // A loss is a problem the user must see, quiet or not.
                    AgentLog.problem("wrote " + r.bytes() + " bytes (" + r.generations() + " generations) to " + out
                            + "; " + r.lossSummary());
                }
            } catch (IOException | RuntimeException e) {
                AgentLog.problem("writing " + out + " failed: " + e);
            }
        }, "loomtrace-agent-exit"));
        say(o, "tracing to " + out + " (stacks " + o.stacks().name().toLowerCase().replace('_', '-') + ")");
    }

    private static void startFlight(AgentOptions o) throws TraceControl.Busy, IOException {
        Path out = o.output();
        FlightRecorder fr = TraceControl.startFlight(o.flightAge(), o.flightBytes(), o.traceOptions(), "the agent's flight= option");
        if (!o.triggers().isEmpty()) {
            FlightTriggers.watch(fr, o.triggers(), o.snapshots());
            say(o, "flight recorder triggers " + o.triggers() + ": snapshots into " + o.snapshots().dir()
                    + " (at most one per " + o.snapshots().minInterval().toMillis() + " ms, " + o.snapshots().maxFiles() + " files)");
        }
        if (out == null) {
            say(o, "flight recorder on: keeping the last " + TraceControl.describeWindow(o.flightAge(), o.flightBytes())
                    + " of trace in memory");
            return;
        }
        FlightControl control = new FlightControl(fr, out);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (OutputStream s = Files.newOutputStream(out)) {
                long n = fr.writeTo(s);
                say(o, "flight recorder: wrote the last " + n + " bytes of trace to " + out);
            } catch (IOException | RuntimeException e) {
                AgentLog.problem("writing " + out + " failed: " + e);
            } finally {
                fr.stop();
            }
        }, "loomtrace-agent-exit"));
        // JMX registration loads a good part of java.management: not on the startup path.
        Thread.ofPlatform().daemon().name("loomtrace-agent-jmx").start(() -> {
            try {
                ManagementFactory.getPlatformMBeanServer().registerMBean(control, new ObjectName(FlightControl.NAME));
            } catch (Exception | LinkageError e) {
                say(o, "flight recorder: JMX operation not available: " + e);
            }
        });
        String window = o.flightAge().toDays() >= 1 ? "" : o.flightAge().toMillis() / 1000.0 + " s, at most ";
        say(o, "flight recorder on: keeping the last " + window + (o.flightBytes() >> 20) + " MiB of trace; written to " + out + " at exit, or on demand with JMX "
                + FlightControl.NAME + " dump(file)");
    }

    private static void say(AgentOptions o, String msg) {
        AgentLog.info(o.quiet(), msg);
    }
}
