package dev.loomtracer.examples;

import dev.loomtracer.debug.DebugConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The example server's settings, from its command line.
 *
 * <p>Invariants, checked by {@link #validate()}: the debug endpoints exist only with
 * {@code --debug}; a server that listens beyond loopback with {@code --debug} has a debug token
 * (it refuses to start otherwise); a token is never taken from the command line (it would show
 * in {@code ps}), only from a file or the environment.
 *
 * @param host               address to listen on (default 127.0.0.1)
 * @param port               port, 0 for an ephemeral one
 * @param debug              serve /debug/trace and /debug/flight
 * @param debugToken         if non-null, every /debug request needs {@code Authorization: Bearer <token>}
 * @param downstreamLatency  how long the downstream service takes to answer
 * @param flight             start the flight recorder at startup
 * @param flightWindow       the flight recorder keeps at least this much history ...
 * @param flightMaxBytes     ... unless it takes more than this many bytes
 * @param maxTraceSeconds    the cap on /debug/trace?seconds=N
 * @param scheduler          which scheduler runs the server's virtual threads
 */
public record ServerConfig(String host, int port, boolean debug, String debugToken, Duration downstreamLatency,
                           boolean flight, Duration flightWindow, long flightMaxBytes, double maxTraceSeconds,
                           Scheduler scheduler) {

    /** Which scheduler runs the virtual threads of the server (and of its downstream service). */
    public enum Scheduler {
        /**
         * Loom Tracer's {@code TracingScheduler} (module carrier-hooks): every creation, mount,
         * block (with its reason), unblock (with who) and end is traced, without an agent.
         */
        TRACING,
        /**
         * The JDK's default scheduler: a trace then holds only the annotations (tasks, regions,
         * logs), unless the JVM runs the Loom Tracer agent, which traces the default scheduler.
         */
        DEFAULT
    }

    public static final String TOKEN_ENV = DebugConfig.TOKEN_ENV;
    public static final double DEFAULT_MAX_TRACE_SECONDS = DebugConfig.DEFAULT_MAX_TRACE_SECONDS;

    public static final String USAGE = """
            usage: loomtrace example-server [options]
                   loomtrace example-server load [options]      (load generator; --help for its options)
                   loomtrace example-server harness [options]   (tracing cost harness; --help for its options)

            options:
              --port P                   port to listen on (default 8080; 0 = any free port)
              --host H                   address to listen on (default 127.0.0.1, loopback only)
              --debug                    serve GET /debug/trace?seconds=N and GET /debug/flight
              --debug-token-file F       require "Authorization: Bearer <first line of F>" on /debug/*
                                         (or set LOOMTRACE_DEBUG_TOKEN); required with --debug when
                                         --host is not a loopback address
              --flight                   start the flight recorder at startup (see /debug/flight)
              --flight-seconds S         flight recorder window: at least S seconds (default 10) ...
              --flight-mib M             ... unless that takes more than M MiB (default 32)
              --downstream-latency-ms L  latency of the downstream service (default 2)
              --max-trace-seconds N      cap on /debug/trace?seconds= (default 60)
              --agent JAR|auto           run the server in a child JVM under the Loom Tracer agent
                                         (auto: carrier-hooks/target/carrier-hooks-*-agent.jar), so that
                                         traces show the scheduling of every virtual thread
              --scheduler S              default (the default): the JDK's scheduler, whose scheduling
                                         traces show only under the Loom Tracer agent; tracing: Loom
                                         Tracer's tracing scheduler, whose scheduling every trace shows
            """;

    public static ServerConfig defaults() {
        return new ServerConfig("127.0.0.1", 8080, false, null, Duration.ofMillis(2), false,
                Duration.ofSeconds(10), 32L << 20, DEFAULT_MAX_TRACE_SECONDS, Scheduler.DEFAULT);
    }

    /** Parses the command line; throws IllegalArgumentException with a message for the user. */
    public static ServerConfig parse(String[] args, Map<String, String> env) {
        ServerConfig c = defaults();
        String host = c.host, token = null;
        int port = c.port;
        boolean debug = false, flight = false;
        Duration latency = c.downstreamLatency, window = c.flightWindow;
        long flightBytes = c.flightMaxBytes;
        double maxTrace = c.maxTraceSeconds;
        Scheduler scheduler = c.scheduler;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--port" -> port = intArg(args, ++i, a, 0, 65535);
                case "--host" -> host = arg(args, ++i, a);
                case "--debug" -> debug = true;
                case "--debug-token-file" -> token = DebugConfig.readToken(Path.of(arg(args, ++i, a)));
                case "--debug-token" -> throw new IllegalArgumentException(
                        "--debug-token is not accepted: a token on the command line shows in ps; use --debug-token-file F or "
                                + TOKEN_ENV);
                case "--flight" -> flight = true;
                case "--flight-seconds" -> window = Duration.ofSeconds(intArg(args, ++i, a, 1, 3600));
                case "--flight-mib" -> flightBytes = (long) intArg(args, ++i, a, 1, 4096) << 20;
                case "--downstream-latency-ms" -> latency = Duration.ofMillis(intArg(args, ++i, a, 0, 60_000));
                case "--max-trace-seconds" -> maxTrace = intArg(args, ++i, a, 1, 3600);
                case "--scheduler" -> {
                    String v = arg(args, ++i, a);
                    scheduler = switch (v) {
                        case "tracing" -> Scheduler.TRACING;
                        case "default" -> Scheduler.DEFAULT;
                        default -> throw new IllegalArgumentException("--scheduler must be tracing or default, got '" + v + "'");
                    };
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (token == null) {
            token = DebugConfig.tokenFromEnvironment(env);
        }
        ServerConfig cfg = new ServerConfig(host, port, debug, token, latency, flight, window, flightBytes, maxTrace, scheduler);
        cfg.validate();
        return cfg;
    }

    /** Throws IllegalArgumentException if the settings are unsafe or inconsistent. */
    public void validate() {
        if (debug) {
            DebugConfig.checkAccess(host, debugToken, "pass --debug-token-file F");
        } else if (debugToken != null && debugToken.length() < 16) {
            throw new IllegalArgumentException("the debug token must be at least 16 characters");
        }
        if (flight && !debug) {
            throw new IllegalArgumentException("--flight needs --debug (the snapshot is served at /debug/flight)");
        }
    }

    /** The settings of the debug endpoints. */
    public DebugConfig debugConfig() {
        return new DebugConfig(maxTraceSeconds, flightWindow, flightMaxBytes, debugToken);
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(host, p, debug, debugToken, downstreamLatency, flight, flightWindow, flightMaxBytes, maxTraceSeconds, scheduler);
    }

    public ServerConfig withDebug(boolean d, String token) {
        return new ServerConfig(host, port, d, token, downstreamLatency, flight, flightWindow, flightMaxBytes, maxTraceSeconds, scheduler);
    }

    public ServerConfig withFlight(boolean f) {
        return new ServerConfig(host, port, debug, debugToken, downstreamLatency, f, flightWindow, flightMaxBytes, maxTraceSeconds, scheduler);
    }

    public ServerConfig withDownstreamLatency(Duration d) {
        return new ServerConfig(host, port, debug, debugToken, d, flight, flightWindow, flightMaxBytes, maxTraceSeconds, scheduler);
    }

    public ServerConfig withScheduler(Scheduler s) {
        return new ServerConfig(host, port, debug, debugToken, downstreamLatency, flight, flightWindow, flightMaxBytes, maxTraceSeconds, s);
    }

    /** True if {@code host} names only loopback addresses (127.0.0.0/8, ::1, localhost). */


    private static String arg(String[] args, int i, String opt) {
        if (i >= args.length) {
            throw new IllegalArgumentException(opt + " needs a value");
        }
        return args[i];
    }

    private static int intArg(String[] args, int i, String opt, int min, int max) {
        String v = arg(args, i, opt);
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

    @Override
    public String toString() {
        return "ServerConfig[host=" + host + ", port=" + port + ", debug=" + debug + ", token="
                + (debugToken == null ? "none" : "set") + ", downstreamLatency=" + downstreamLatency + ", flight=" + flight
                + ", flightWindow=" + flightWindow + ", flightMaxBytes=" + flightMaxBytes + ", maxTraceSeconds=" + maxTraceSeconds + ", scheduler=" + scheduler + "]";
    }
}
