package dev.loomtracer.examples;

import dev.loomtracer.FlightRecorder;
import dev.loomtracer.LoomTrace;
import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * The debug endpoints, after Go's net/http/pprof:
 * <ul>
 *   <li>{@code GET /debug/trace?seconds=N[&stacks=off|on-block|all]}: streams a trace of the next
 *       N seconds (default 1, at most {@link ServerConfig#maxTraceSeconds}, 60 unless configured;
 *       stacks default off: a stack walk per event that carries one is the dearest part of tracing);</li>
 *   <li>{@code GET /debug/flight}: a snapshot of the flight recorder, which keeps running;</li>
 *   <li>{@code POST /debug/flight/start[?seconds=S&mib=M]} and {@code POST /debug/flight/stop}:
 *       turn the flight recorder on and off at run time ({@code --flight} turns it on at startup).</li>
 * </ul>
 *
 * <p>Policy, because the engine runs one trace per JVM: whoever holds the tracer keeps it. While a
 * streamed trace runs, a second {@code /debug/trace} and a flight recorder start get 409; while the
 * flight recorder runs, {@code /debug/trace} gets 409 that says to take a snapshot instead (or to
 * stop the flight recorder first). Nothing is ever silently stopped or paused to make room: a
 * flight recorder exists to hold the history before an incident, and pausing it for a streamed
 * trace would throw that history away exactly when someone is investigating.
 *
 * <p>Access: these endpoints exist only with {@code --debug}. If a token is configured, every
 * request needs {@code Authorization: Bearer <token>} (401 otherwise), whatever its origin; without
 * a token, only loopback clients are served (403 otherwise; {@link ServerConfig#validate()} already
 * refuses to listen beyond loopback with {@code --debug} and no token).
 */
final class DebugEndpoints {
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final ServerConfig cfg;
    private final byte[] token;
    private final Object control = new Object();
    private String holder; // what holds the tracer, for 409 messages; guarded by control
    private FlightRecorder flight; // guarded by control

    DebugEndpoints(ServerConfig cfg) {
        this.cfg = cfg;
        this.token = cfg.debugToken() == null ? null : cfg.debugToken().getBytes(StandardCharsets.UTF_8);
    }

    /** Handles a request under /debug. Always completes the callback. */
    void handle(Request req, Response res, Callback cb, String path) throws Exception {
        if (!authorized(req, res, cb)) {
            return;
        }
        String method = req.getMethod();
        switch (path) {
            case "/debug", "/debug/" -> {
                if (requireMethod("GET", method, res, cb)) {
                    Http.text(res, cb, 200, index());
                }
            }
            case "/debug/trace" -> {
                if (requireMethod("GET", method, res, cb)) {
                    trace(req, res, cb);
                }
            }
            case "/debug/flight" -> {
                if (requireMethod("GET", method, res, cb)) {
                    flightSnapshot(req, res, cb);
                }
            }
            case "/debug/flight/start" -> {
                if (requireMethod("POST", method, res, cb)) {
                    Fields q = Request.extractQueryParameters(req);
                    Duration window;
                    long bytes;
                    TraceOptions.Stacks stacks;
                    try {
                        window = Duration.ofSeconds((long) number(q, "seconds", cfg.flightWindow().toSeconds(), 3600));
                        bytes = (long) number(q, "mib", cfg.flightMaxBytes() >> 20, 4096) << 20;
                        stacks = stacks(q.getValue("stacks"));
                    } catch (IllegalArgumentException e) {
                        Http.text(res, cb, 400, e.getMessage() + "\n");
                        return;
                    }
                    String conflict = startFlight(window, bytes, stacks);
                    if (conflict != null) {
                        Http.text(res, cb, 409, conflict + "\n");
                    } else {
                        Http.text(res, cb, 200, "flight recorder started: keeps at least " + window.toSeconds()
                                + " s of history, at most " + (bytes >> 20) + " MiB; GET /debug/flight for a snapshot\n");
                    }
                }
            }
            case "/debug/flight/stop" -> {
                if (requireMethod("POST", method, res, cb)) {
                    TraceResult r = stopFlight();
                    if (r == null) {
                        Http.text(res, cb, 409, "409 Conflict: the flight recorder is not running\n");
                    } else {
                        Http.text(res, cb, 200, "flight recorder stopped (" + r.generations() + " generations traced"
                                + (r.complete() ? "" : ", " + r.lostEvents() + " events lost") + ")\n");
                    }
                }
            }
            default -> Http.text(res, cb, 404, "404 Not Found: " + path + "\n\n" + index());
        }
    }

    static String index() {
        return """
                Loom Tracer debug endpoints:
                  GET  /debug/trace?seconds=N    a trace of the next N seconds (default 1, at most the cap);
                                                 &stacks=off|on-block|all (default off: stacks cost
                                                 a stack walk per event that carries one)
                  GET  /debug/flight             a snapshot of the flight recorder (it keeps running)
                  POST /debug/flight/start       start the flight recorder (?seconds=S&mib=M: its window;
                                                 &stacks=off|on-block|all, default off)
                  POST /debug/flight/stop        stop it
                One trace runs at a time in a JVM: while one runs (streamed or flight recorder), a request
                that needs another gets 409.
                """;
    }

    // ---- /debug/trace ----

    private void trace(Request req, Response res, Callback cb) throws Exception {
        Fields q = Request.extractQueryParameters(req);
        double seconds;
        TraceOptions.Stacks stacks;
        try {
            seconds = seconds(q.getValue("seconds"), cfg.maxTraceSeconds());
            stacks = stacks(q.getValue("stacks"));
        } catch (IllegalArgumentException e) {
            Http.text(res, cb, 400, "400 Bad Request: " + e.getMessage() + "\n");
            return;
        }
        String who = describe(req);
        String conflict;
        synchronized (control) {
            conflict = conflict();
            if (conflict == null) {
                holder = "a streamed trace of " + fmt(seconds) + " s requested by " + who + " at " + Instant.now().truncatedTo(ChronoUnit.MILLIS);
            }
        }
        if (conflict != null) {
            Http.text(res, cb, 409, conflict + "\n");
            return;
        }
        try {
            streamTrace(res, cb, seconds, stacks);
        } finally {
            synchronized (control) {
                holder = null;
            }
        }
    }

    private void streamTrace(Response res, Callback cb, double seconds, TraceOptions.Stacks stacks) {
        res.setStatus(200);
        res.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
        res.getHeaders().put(HttpHeader.CONTENT_DISPOSITION,
                "attachment; filename=\"loomtrace-" + LocalDateTime.now(ZoneOffset.UTC).format(FILE_TIME) + ".trace\"");
        res.getHeaders().put("X-Content-Type-Options", "nosniff");
        OutputStream out = Content.Sink.asOutputStream(res);
        try {
            LoomTrace.start(out, TraceOptions.defaults().stacks(stacks));
        } catch (IllegalStateException e) {
            // Nothing was written yet, so the status can still change. Either something outside
            // these endpoints (the agent's own output, the application) holds the tracer, or the
            // tracer cannot run in this JVM (e.g. a missing JVM option): the message says which.
            Http.text(res, cb, LoomTrace.isRunning() ? 409 : 500, (LoomTrace.isRunning()
                    ? "409 Conflict: a trace is already running in this JVM (" : "500 Internal Server Error: cannot trace (")
                    + e.getMessage() + ")\n");
            return;
        }
        Throwable failure = null;
        TraceResult result = null;
        try {
            long end = System.nanoTime() + (long) (seconds * 1e9);
            // Ends early if the client went away (the trace stops itself when its sink fails).
            for (long left; (left = end - System.nanoTime()) > 0 && LoomTrace.isRunning(); ) {
                Thread.sleep(Duration.ofNanos(Math.min(left, 100_000_000L)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                result = LoomTrace.stop();
            } catch (UncheckedIOException e) {
                failure = e.getCause();
            }
        }
        if (failure == null) {
            try {
                out.close(); // the last write: completes the response
            } catch (IOException e) {
                failure = e;
            }
        }
        if (failure != null) {
            System.err.println("example-server: /debug/trace ended early: " + failure);
            cb.failed(failure);
            return;
        }
        if (result != null && !result.complete()) {
            System.err.println("example-server: /debug/trace: " + result.lostEvents() + " events lost, "
                    + result.inconsistentEvents() + " inconsistent, " + result.nestedEvents() + " nested");
        }
        cb.succeeded();
    }

    /** The seconds parameter: default 1; a positive number of seconds not above the cap. */
    static double seconds(String value, double cap) {
        if (value == null) {
            return 1;
        }
        double s;
        try {
            s = Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("seconds must be a number of seconds, e.g. seconds=5; got '" + value + "'");
        }
        if (!(s > 0) || Double.isInfinite(s)) {
            throw new IllegalArgumentException("seconds must be greater than 0; got '" + value + "'");
        }
        if (s > cap) {
            throw new IllegalArgumentException("seconds must be at most " + fmt(cap) + " (the server's cap on one trace); got '"
                    + value + "'");
        }
        return s;
    }

    static TraceOptions.Stacks stacks(String value) {
        if (value == null) {
            return TraceOptions.Stacks.OFF; // stacks cost a stack walk per event that has one: opt in
        }
        return switch (value) {
            case "off" -> TraceOptions.Stacks.OFF;
            case "on-block" -> TraceOptions.Stacks.ON_BLOCK;
            case "all" -> TraceOptions.Stacks.ALL;
            default -> throw new IllegalArgumentException("stacks must be off, on-block or all; got '" + value + "'");
        };
    }

    // ---- flight recorder ----

    /** Starts the flight recorder; returns a 409 message if the tracer is taken, else null. */
    String startFlight(Duration window, long maxBytes, TraceOptions.Stacks stacks) {
        synchronized (control) {
            String conflict = conflict();
            if (conflict != null) {
                return conflict;
            }
            try {
                flight = FlightRecorder.start(window, maxBytes, TraceOptions.defaults().stacks(stacks));
            } catch (IllegalStateException e) {
                return (LoomTrace.isRunning() ? "409 Conflict: a trace is already running in this JVM ("
                        : "409 Conflict: the flight recorder cannot start (") + e.getMessage() + ")";
            }
            holder = "the flight recorder (window " + window.toSeconds() + " s / " + (maxBytes >> 20)
                    + " MiB, started at " + Instant.now().truncatedTo(ChronoUnit.MILLIS) + ")";
            return null;
        }
    }

    /** Stops the flight recorder; null if it was not running. */
    TraceResult stopFlight() {
        synchronized (control) {
            if (flight == null) {
                return null;
            }
            TraceResult r = flight.stop();
            flight = null;
            holder = null;
            return r;
        }
    }

    private void flightSnapshot(Request req, Response res, Callback cb) throws Exception {
        FlightRecorder fr;
        synchronized (control) {
            fr = flight;
        }
        if (fr == null) {
            Http.text(res, cb, 409, "409 Conflict: the flight recorder is not running; start the server with --flight, "
                    + "or POST /debug/flight/start\n");
            return;
        }
        res.setStatus(200);
        res.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
        res.getHeaders().put(HttpHeader.CONTENT_DISPOSITION,
                "attachment; filename=\"loomtrace-flight-" + LocalDateTime.now(ZoneOffset.UTC).format(FILE_TIME) + ".trace\"");
        res.getHeaders().put("X-Content-Type-Options", "nosniff");
        OutputStream out = Content.Sink.asOutputStream(res);
        try {
            fr.writeTo(out); // nothing is written before the snapshot is taken
        } catch (IllegalStateException e) {
            Http.text(res, cb, 503, "503 Service Unavailable: " + e.getMessage() + "; try again\n");
            return;
        } catch (IOException e) {
            cb.failed(e);
            return;
        }
        out.close();
        cb.succeeded();
    }

    /** Stops whatever these endpoints started (at server shutdown). */
    void shutdown() {
        stopFlight();
    }

    // ---- access ----

    private boolean authorized(Request req, Response res, Callback cb) {
        if (token != null) {
            String auth = req.getHeaders().get(HttpHeader.AUTHORIZATION);
            boolean ok = auth != null && auth.startsWith("Bearer ")
                    && MessageDigest.isEqual(token, auth.substring("Bearer ".length()).strip().getBytes(StandardCharsets.UTF_8));
            if (!ok) {
                res.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"loomtrace-debug\"");
                Http.text(res, cb, 401, "401 Unauthorized: " + (auth == null ? "missing" : "wrong")
                        + " debug token; send 'Authorization: Bearer <token>' with the token the server was started with\n");
                return false;
            }
            return true;
        }
        if (!isLoopback(req.getConnectionMetaData().getRemoteSocketAddress())) {
            Http.text(res, cb, 403, "403 Forbidden: without a debug token, /debug is served to loopback clients only\n");
            return false;
        }
        return true;
    }

    private static boolean isLoopback(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            InetAddress addr = i.getAddress();
            return addr != null && addr.isLoopbackAddress();
        }
        return false; // unix sockets and the like: not expected here
    }

    private static boolean requireMethod(String want, String got, Response res, Callback cb) {
        if (want.equals(got)) {
            return true;
        }
        res.getHeaders().put(HttpHeader.ALLOW, want);
        Http.text(res, cb, 405, "405 Method Not Allowed: use " + want + "\n");
        return false;
    }

    /** The 409 message if the tracer is taken; null if free. Call holding {@code control}. */
    private String conflict() {
        if (holder != null) {
            return "409 Conflict: a trace is already running: " + holder + ". One trace runs at a time in a JVM; "
                    + (flight != null ? "GET /debug/flight for a snapshot, or POST /debug/flight/stop first"
                    : "try again when it ends");
        }
        if (LoomTrace.isRunning()) {
            return "409 Conflict: a trace is already running in this JVM (started outside the debug endpoints, "
                    + "e.g. by the agent's output= option)";
        }
        return null;
    }

    private static String describe(Request req) {
        SocketAddress a = req.getConnectionMetaData().getRemoteSocketAddress();
        return a instanceof InetSocketAddress i ? i.getAddress().getHostAddress() + ":" + i.getPort() : String.valueOf(a);
    }

    private static double number(Fields q, String name, double dflt, double max) {
        String v = q.getValue(name);
        if (v == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.strip());
            if (n < 1 || n > max) {
                throw new IllegalArgumentException("400 Bad Request: " + name + " must be between 1 and " + fmt(max) + "; got '" + v + "'");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("400 Bad Request: " + name + " must be a whole number; got '" + v + "'");
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
