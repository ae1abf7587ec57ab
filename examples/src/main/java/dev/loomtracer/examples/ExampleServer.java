package dev.loomtracer.examples;

import dev.loomtracer.hooks.TracingScheduler;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The example service: a Jetty 12 server whose requests run on virtual threads (Jetty's
 * {@link VirtualThreadPool}) and block the way real services do (see {@link Service}), plus a
 * downstream HTTP service it calls, and, with {@code --debug}, the trace endpoints of
 * {@link dev.loomtracer.debug.DebugEndpoints} (the same component the agent's {@code http=} option serves).
 *
 * <p>By default the virtual threads of both servers run on Loom Tracer's {@link TracingScheduler},
 * handed to Jetty as the pool's executor: that is all it takes for a trace to show each request's
 * virtual thread being created, mounted, blocked (with the reason), unblocked (by whom) and ended.
 * With {@code --scheduler default} they run on the JDK's scheduler, which only the Loom Tracer
 * agent can trace.
 *
 * <pre>
 * ./loomtrace example-server --port 8080 --debug
 * </pre>
 *
 * Endpoints: {@code /hello} (no blocking), {@code /work} (downstream call, lock, monitor, sleep),
 * {@code /downstream}, {@code /lock}, {@code /monitor}, {@code /sleep}, {@code /pinned} (each one
 * step alone), and {@code /debug/*}. It listens on 127.0.0.1 unless {@code --host} says otherwise.
 *
 * <p>{@code ./loomtrace example-server load ...} runs the {@link LoadGenerator} and
 * {@code ./loomtrace example-server harness ...} the cost {@link Harness} instead.
 */
public final class ExampleServer implements AutoCloseable {
    private final ServerConfig cfg;
    private final Server server;
    private final ServerConnector connector;
    private final Server downstreamServer;
    private final ServerConnector downstreamConnector;
    private final dev.loomtracer.debug.DebugEndpoints debug;
    private final TracingScheduler scheduler; // null with --scheduler default
    private final ExecutorService[] executors = new ExecutorService[2];

    private ExampleServer(ServerConfig cfg) {
        this.cfg = cfg;
        this.debug = cfg.debug() ? new dev.loomtracer.debug.DebugEndpoints(cfg.debugConfig(), "example-server",
                (trace, html) -> dev.loomtracer.report.HtmlReport.write(trace,
                        dev.loomtracer.report.HtmlReport.Options.named("example-server trace"), html)) : null;
        this.scheduler = cfg.scheduler() == ServerConfig.Scheduler.TRACING ? TracingScheduler.create() : null;

        this.downstreamServer = new Server(virtualThreadPool("downstream", 0));
        this.downstreamConnector = new ServerConnector(downstreamServer);
        downstreamConnector.setHost("127.0.0.1"); // the downstream service is always loopback-only
        downstreamConnector.setPort(0);
        downstreamServer.addConnector(downstreamConnector);
        downstreamServer.setHandler(new DownstreamHandler(cfg.downstreamLatency()));

        this.server = new Server(virtualThreadPool("example", 1));
        this.connector = new ServerConnector(server);
        connector.setHost(cfg.host());
        connector.setPort(cfg.port());
        server.addConnector(connector);
    }

    /** Starts the downstream service, then the server; with {@code cfg.flight()}, the flight recorder. */
    public static ExampleServer start(ServerConfig cfg) throws Exception {
        cfg.validate();
        ExampleServer s = new ExampleServer(cfg);
        try {
            s.downstreamServer.start();
            URI down = URI.create("http://127.0.0.1:" + s.downstreamConnector.getLocalPort() + "/downstream");
            s.server.setHandler(new AppHandler(new Service(down), s.debug));
            s.server.start();
            if (cfg.flight()) {
                try {
                    dev.loomtracer.debug.TraceControl.startFlight(cfg.flightWindow(), cfg.flightMaxBytes(),
                            dev.loomtracer.TraceOptions.defaults(), "example-server --flight");
                } catch (dev.loomtracer.debug.TraceControl.Busy e) {
                    throw new IllegalStateException("cannot start the flight recorder: " + e.getMessage());
                }
            }
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    public int port() {
        return connector.getLocalPort();
    }

    public int downstreamPort() {
        return downstreamConnector.getLocalPort();
    }

    /** The base URI, e.g. http://127.0.0.1:8080 (IPv6 hosts in brackets). */
    public URI uri() {
        String h = cfg.host().contains(":") ? "[" + cfg.host() + "]" : cfg.host();
        return URI.create("http://" + h + ":" + port());
    }

    public ServerConfig config() {
        return cfg;
    }

    @Override
    public void close() {
        if (debug != null) {
            dev.loomtracer.debug.TraceControl.stopFlight(); // whatever the endpoints started
        }
        for (Server s : new Server[] {server, downstreamServer}) {
            try {
                s.stop();
            } catch (Exception e) {
                System.err.println("example-server: stopping " + s + ": " + e);
            }
        }
        for (ExecutorService e : executors) {
            if (e != null) {
                e.shutdown();
            }
        }
        if (scheduler != null) {
            scheduler.close(); // its carriers end once its last virtual thread has
        }
    }

    public void join() throws InterruptedException {
        server.join();
    }

    private VirtualThreadPool virtualThreadPool(String name, int slot) {
        VirtualThreadPool pool = new VirtualThreadPool();
        pool.setName(name);
        if (scheduler != null) {
            executors[slot] = Executors.newThreadPerTaskExecutor(scheduler.builder().name(name + "-", 0).factory());
            pool.setVirtualThreadsExecutor(executors[slot]);
        }
        return pool;
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            switch (args[0]) {
                case "load" -> {
                    System.exit(LoadGenerator.main(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
                    return;
                }
                case "harness" -> {
                    System.exit(Harness.main(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
                    return;
                }
                case "-h", "--help", "help" -> {
                    System.out.print(ServerConfig.USAGE);
                    return;
                }
                default -> { }
            }
        }
        // For a parent that runs this server as a child (the harness, the tests): exit when the
        // parent goes away and closes our stdin, even if it was killed.
        if (args.length > 0 && args[0].equals("--exit-on-stdin-eof")) {
            args = Arrays.copyOfRange(args, 1, args.length);
            Thread.ofPlatform().daemon().name("exit-on-stdin-eof").start(() -> {
                try {
                    System.in.transferTo(java.io.OutputStream.nullOutputStream());
                } catch (java.io.IOException e) {
                    // closed either way
                }
                System.err.println("example-server: stdin closed (the parent went away): exiting");
                System.exit(0);
            });
        }
        // --agent JAR|auto: run the server in a child JVM under the Loom Tracer agent.
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--agent")) {
                if (i + 1 >= args.length) {
                    System.err.println("example-server: --agent needs a value: the agent jar, or auto");
                    System.exit(2);
                }
                String v = args[i + 1];
                java.util.List<String> rest = new java.util.ArrayList<>(Arrays.asList(args));
                rest.subList(i, i + 2).clear();
                System.exit(underAgent(v, rest));
                return;
            }
        }
        ServerConfig cfg;
        try {
            cfg = ServerConfig.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("example-server: " + e.getMessage());
            System.err.print(ServerConfig.USAGE);
            System.exit(2);
            return;
        }
        ExampleServer s;
        try {
            s = start(cfg);
        } catch (java.io.IOException e) {
            System.err.println("example-server: cannot listen on " + cfg.host() + ":" + cfg.port() + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(s::close, "example-server-shutdown"));
        URI u = s.uri();
        // The harness and scripts read the first line: keep its shape.
        System.out.println("example-server: listening on " + u);
        System.out.println("  try:  curl " + u + "/work");
        boolean agent = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-javaagent:") && a.contains("carrier-hooks"));
        System.out.println("  scheduler: " + (cfg.scheduler() == ServerConfig.Scheduler.TRACING
                ? "Loom Tracer's tracing scheduler (traces show every virtual thread's scheduling)"
                : agent ? "the JDK's default, traced by the Loom Tracer agent (traces show every virtual thread's scheduling)"
                : "the JDK's default, no agent (traces show tasks, regions and logs; --agent auto adds the scheduling)"));
        if (cfg.debug()) {
            String auth = cfg.debugToken() == null ? "" : "-H \"Authorization: Bearer $LOOMTRACE_DEBUG_TOKEN\" ";
            System.out.println("  trace the next 5 s:  curl " + auth + "-o server.trace '" + u + "/debug/trace?seconds=5'");
            System.out.println(cfg.flight()
                    ? "  flight recorder on:  curl " + auth + "-o flight.trace " + u + "/debug/flight"
                    : "  flight recorder:     off (start with --flight, or POST /debug/flight/start)");
        } else {
            System.out.println("  (debug endpoints off: start with --debug to serve /debug/trace and /debug/flight)");
        }
        System.out.flush();
        s.join();
    }

    /**
     * Runs the server with {@code args} in a child JVM under the Loom Tracer agent ({@code -javaagent},
     * the agent jar first on the class path, where the JVM looks up the agent's main class), so that
     * the JDK's own scheduler is traced; its output goes to ours. Returns its exit status.
     */
    private static int underAgent(String agent, java.util.List<String> args) throws Exception {
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--scheduler") && i + 1 < args.size() && args.get(i + 1).equals("tracing")) {
                System.err.println("example-server: --agent traces the JDK's scheduler: it does not go with --scheduler tracing");
                return 2;
            }
        }
        java.nio.file.Path jar;
        try {
            jar = agent.equals("auto") ? dev.loomtracer.hooks.agent.AgentJarLookup.find() : java.nio.file.Path.of(agent);
        } catch (IllegalStateException e) {
            System.err.println("example-server: " + e.getMessage());
            return 2;
        }
        if (!java.nio.file.Files.isRegularFile(jar)) {
            System.err.println("example-server: --agent: no such file " + jar);
            return 2;
        }
        try {
            ServerConfig.parse(args.toArray(String[]::new), System.getenv()); // report bad options here, once
        } catch (IllegalArgumentException e) {
            System.err.println("example-server: " + e.getMessage());
            System.err.print(ServerConfig.USAGE);
            return 2;
        }
        Process p = Harness.ServerProcess.command(jar, java.util.List.of(), args).inheritIO()
                .redirectInput(ProcessBuilder.Redirect.PIPE).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            p.destroy(); // Ctrl-C reaches the child too; a plain kill of this JVM must also stop it
            try {
                p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "example-server-child-stop"));
        return p.waitFor();
    }

    static final String INDEX = """
            Loom Tracer example service (requests run on virtual threads):
              GET /hello        answers at once
              GET /work         a whole request: downstream call, lock, monitor, sleep
              GET /downstream   an HTTP call to the downstream service
              GET /lock         a shared resource behind a ReentrantLock
              GET /monitor      a synchronized section
              GET /sleep        Thread.sleep(1 ms)
              GET /pinned       a sleep inside a class initializer: pins the carrier
              /debug/...        trace endpoints (with --debug)
            """;

    /** Routes the service's paths; every request is a {@link dev.loomtracer.Task} named after its path. */
    private static final class AppHandler extends Handler.Abstract {
        private final Service service;
        private final dev.loomtracer.debug.DebugEndpoints debug;

        AppHandler(Service service, dev.loomtracer.debug.DebugEndpoints debug) {
            this.service = service;
            this.debug = debug;
        }

        @Override
        public boolean handle(Request req, Response res, Callback cb) throws Exception {
            String path = Request.getPathInContext(req);
            if (path.equals("/debug") || path.startsWith("/debug/")) {
                if (debug == null) {
                    Http.text(res, cb, 404, "404 Not Found: the debug endpoints are off; start the server with --debug\n");
                } else {
                    JettyDebugExchange.handle(debug, req, res, cb);
                }
                return true;
            }
            if (!"GET".equals(req.getMethod())) {
                Http.text(res, cb, 405, "405 Method Not Allowed: use GET\n");
                return true;
            }
            String body;
            try (dev.loomtracer.Task task = dev.loomtracer.Task.begin(path)) {
                body = switch (path) {
                    case "/" -> INDEX;
                    case "/hello" -> "hello\n";
                    case "/work" -> service.work(task);
                    case "/downstream" -> service.downstream(task);
                    case "/lock" -> "reserved " + service.inventory(task) + "\n";
                    case "/monitor" -> "served " + service.stats(task, Service.MONITOR_WORK_LONG) + "\n";
                    case "/sleep" -> {
                        service.sleep(task);
                        yield "slept\n";
                    }
                    case "/pinned" -> {
                        service.pinned(task);
                        yield "pinned\n";
                    }
                    default -> null;
                };
            } catch (java.io.IOException e) {
                Http.text(res, cb, 502, "502 Bad Gateway: the downstream call failed: " + e.getMessage() + "\n");
                return true;
            }
            if (body == null) {
                Http.text(res, cb, 404, "404 Not Found: " + path + "\n\n" + INDEX);
            } else {
                Http.text(res, cb, 200, body);
            }
            return true;
        }
    }

    /** The downstream service: answers after a fixed latency. */
    private static final class DownstreamHandler extends Handler.Abstract {
        private final Duration latency;

        DownstreamHandler(Duration latency) {
            this.latency = latency;
        }

        @Override
        public boolean handle(Request req, Response res, Callback cb) throws Exception {
            if (!latency.isZero()) {
                Thread.sleep(latency);
            }
            Http.text(res, cb, 200, "downstream ok\n");
            return true;
        }
    }
}
