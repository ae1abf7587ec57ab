package dev.loomtracer.debug;

import dev.loomtracer.FlightRecorder;
import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.function.Supplier;

/**
 * The debug endpoints, after Go's net/http/pprof, whatever HTTP server carries them:
 * <ul>
 *   <li>{@code GET /debug/trace?seconds=N[&stacks=off|on-block|every-block|all]}: streams a trace of the next
 *       N seconds (default 1, at most {@link DebugConfig#maxTraceSeconds}; stacks default off: a
 *       stack walk per event that carries one is the dearest part of tracing);</li>
 *   <li>{@code GET /debug/flight}: a snapshot of the flight recorder, which keeps running;</li>
 *   <li>{@code POST /debug/flight/start[?seconds=S&mib=M&stacks=...]}, {@code POST /debug/flight/stop};</li>
 *   <li>{@code GET /debug/report?seconds=N}: when a report renderer is given, an HTML report of a
 *       trace of the next N seconds (or of the flight recorder's window when it runs;
 *       {@code ?flight} asks for that window and gets 409 when the recorder is not running).</li>
 * </ul>
 *
 * <p>Invariants: the tracer is shared through {@link TraceControl} (one holder; a request that
 * needs it while it is held gets 409 saying who holds it; nothing is stopped to make room); with
 * a token, every request needs {@code Authorization: Bearer <token>} (401 otherwise), compared in
 * constant time; without one, only loopback clients are served (403 otherwise); a bad parameter
 * gets 400 and starts nothing.
 */
public final class DebugEndpoints {
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    /** Renders a trace (its bytes) as an HTML report, for {@code /debug/report}. */
    @FunctionalInterface
    public interface ReportRenderer {
        void render(byte[] trace, OutputStream html) throws IOException;
    }

    private final DebugConfig cfg;
    private final byte[] token;
    private final String who;
    private final ReportRenderer report;

    /**
     * @param who    names the server in messages ("example-server", "the Loom Tracer agent")
     * @param report renders {@code /debug/report}; null: that endpoint answers 404
     */
    public DebugEndpoints(DebugConfig cfg, String who, ReportRenderer report) {
        this.cfg = cfg;
        this.token = cfg.token() == null ? null : cfg.token().getBytes(StandardCharsets.UTF_8);
        this.who = who;
        this.report = report;
    }

    public DebugConfig config() {
        return cfg;
    }

    /** Handles a request under /debug. */
    public void handle(DebugExchange ex) throws IOException {
        if (!authorized(ex)) {
            return;
        }
        switch (ex.path()) {
            case "/debug", "/debug/" -> onMethod("GET", ex, e -> e.text(200, index()));
            case "/debug/trace" -> onMethod("GET", ex, this::trace);
            case "/debug/flight" -> onMethod("GET", ex, this::flightSnapshot);
            case "/debug/flight/start" -> onMethod("POST", ex, this::flightStart);
            case "/debug/flight/stop" -> onMethod("POST", ex, this::flightStop);
            case "/debug/report" -> {
                if (report == null) {
                    ex.text(404, "404 Not Found: /debug/report is not available in this build\n\n" + index());
                } else {
                    onMethod("GET", ex, this::report);
                }
            }
            default -> ex.text(404, "404 Not Found: " + ex.path() + "\n\n" + index());
        }
    }

    /** An endpoint's handler. */
    private interface Handler {
        void handle(DebugExchange ex) throws IOException;
    }

    /** Runs {@code h} if the request's method is {@code method}, else answers 405. */
    private static void onMethod(String method, DebugExchange ex, Handler h) throws IOException {
        if (requireMethod(method, ex)) {
            h.handle(ex);
        }
    }

    private void flightStop(DebugExchange ex) throws IOException {
        TraceResult r = TraceControl.stopFlight();
        if (r == null) {
            ex.text(409, "409 Conflict: the flight recorder is not running\n");
        } else {
            ex.text(200, "flight recorder stopped (" + r.generations() + " generations traced"
                    + (r.complete() ? "" : ", " + r.lostEvents() + " events lost") + ")\n");
        }
    }

    public String index() {
        return """
                Loom Tracer debug endpoints:
                  GET  /debug/trace?seconds=N    a trace of the next N seconds (default 1, at most the cap);
                                                 &stacks=off|on-block|every-block|all (default off: stacks cost
                                                 a stack walk per event that carries one)
                  GET  /debug/flight             a snapshot of the flight recorder (it keeps running)
                  POST /debug/flight/start       start the flight recorder (?seconds=S&mib=M: its window;
                                                 &stacks=off|on-block|every-block|all, default off)
                  POST /debug/flight/stop        stop it
                """ + (report == null ? "" : """
                  GET  /debug/report?seconds=N   an HTML report of the next N seconds (of the flight
                                                 recorder's window if it runs; ?flight: only that)
                """) + """
                One trace runs at a time in a JVM: while one runs (streamed or flight recorder), a request
                that needs another gets 409.
                """;
    }

    // ---- /debug/trace ----

    private void trace(DebugExchange ex) throws IOException {
        double seconds;
        TraceOptions.Stacks stacks;
        try {
            seconds = seconds(ex.query("seconds"), cfg.maxTraceSeconds());
            stacks = stacks(ex.query("stacks"));
        } catch (IllegalArgumentException e) {
            ex.text(400, "400 Bad Request: " + e.getMessage() + "\n");
            return;
        }
        // The response starts only once the tracer is ours: a 409 can still be sent before.
        LazyStream out = LazyStream.response(ex, "loomtrace-" + now() + ".trace");
        TraceControl.Stream s = startStream(ex, out, TraceOptions.defaults().stacks(stacks),
                "a streamed trace of " + TraceControl.fmt(seconds) + " s requested by " + ex.client() + " from " + who);
        if (s == null) {
            return;
        }
        TraceResult result;
        try {
            result = s.runFor(seconds);
        } catch (UncheckedIOException e) {
            throw e.getCause(); // the client went away: the trace stopped itself
        }
        out.flush();
        if (result != null && !result.complete()) {
            System.err.println(who + ": /debug/trace: " + result.lostEvents() + " events lost, "
                    + result.inconsistentEvents() + " inconsistent, " + result.nestedEvents() + " nested");
        }
    }

    /** The seconds parameter: default 1; a positive number of seconds not above the cap. */
    public static double seconds(String value, double cap) {
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
            throw new IllegalArgumentException("seconds must be at most " + TraceControl.fmt(cap)
                    + " (the server's cap on one trace); got '" + value + "'");
        }
        return s;
    }

    /** The stacks parameter: off (default), on-block, every-block or all. */
    public static TraceOptions.Stacks stacks(String value) {
        if (value == null) {
            return TraceOptions.Stacks.OFF; // stacks cost a stack walk per event that has one: opt in
        }
        TraceOptions.Stacks s = TraceOptions.Stacks.parse(value);
        if (s == null) {
            throw new IllegalArgumentException("stacks must be " + TraceOptions.Stacks.WORDS + "; got '" + value + "'");
        }
        return s;
    }

    // ---- flight recorder ----

    private void flightStart(DebugExchange ex) throws IOException {
        Duration window;
        long bytes;
        TraceOptions.Stacks stacks;
        try {
            window = Duration.ofSeconds(number(ex.query("seconds"), "seconds", cfg.flightWindow().toSeconds(), 3600));
            bytes = number(ex.query("mib"), "mib", cfg.flightMaxBytes() >> 20, 4096) << 20;
            stacks = stacks(ex.query("stacks"));
        } catch (IllegalArgumentException e) {
            ex.text(400, "400 Bad Request: " + e.getMessage() + "\n");
            return;
        }
        try {
            TraceControl.startFlight(window, bytes, TraceOptions.defaults().stacks(stacks), ex.client() + " through " + who);
        } catch (TraceControl.Busy e) {
            ex.text(409, conflict(e));
            return;
        } catch (IllegalStateException e) {
            ex.text(409, "409 Conflict: the flight recorder cannot start (" + e.getMessage() + ")\n");
            return;
        }
        ex.text(200, "flight recorder started: keeps at least " + window.toSeconds() + " s of history, at most "
                + (bytes >> 20) + " MiB; GET /debug/flight for a snapshot\n");
    }

    private void flightSnapshot(DebugExchange ex) throws IOException {
        FlightRecorder fr = TraceControl.flight();
        if (fr == null) {
            ex.text(409, "409 Conflict: the flight recorder is not running; POST /debug/flight/start (or start "
                    + who + " with its flight option)\n");
            return;
        }
        // The response starts with the snapshot's first byte, so a 503 can still be sent when there
        // is none (writeTo refuses before it writes), and the snapshot, as big as the window, is
        // not copied into memory first.
        LazyStream out = LazyStream.response(ex, "loomtrace-flight-" + now() + ".trace");
        try {
            fr.writeTo(out);
        } catch (IllegalStateException e) {
            if (out.isOpen()) {
                throw e;
            }
            ex.text(503, "503 Service Unavailable: " + e.getMessage() + "; try again\n");
            return;
        }
        out.close();
    }

    // ---- /debug/report ----

    private void report(DebugExchange ex) throws IOException {
        java.io.ByteArrayOutputStream trace = new java.io.ByteArrayOutputStream();
        FlightRecorder fr = TraceControl.flight();
        if (fr == null && ex.query("flight") != null) {
            ex.text(409, "409 Conflict: ?flight asks for a report of the flight recorder's window, and it is not running;"
                    + " POST /debug/flight/start (or start " + who + " with its flight option), or drop ?flight\n");
            return;
        }
        if (fr != null) {
            try {
                fr.writeTo(trace);
            } catch (IllegalStateException e) {
                ex.text(503, "503 Service Unavailable: " + e.getMessage() + "; try again\n");
                return;
            }
        } else {
            double seconds;
            try {
                seconds = seconds(ex.query("seconds"), cfg.maxTraceSeconds());
            } catch (IllegalArgumentException e) {
                ex.text(400, "400 Bad Request: " + e.getMessage() + "\n");
                return;
            }
            TraceControl.Stream s = startStream(ex, trace, TraceOptions.defaults().stacks(TraceOptions.Stacks.ON_BLOCK),
                    "a report of " + TraceControl.fmt(seconds) + " s requested by " + ex.client() + " from " + who);
            if (s == null) {
                return;
            }
            s.runFor(seconds);
        }
        java.io.ByteArrayOutputStream html = new java.io.ByteArrayOutputStream();
        report.render(trace.toByteArray(), html);
        try (OutputStream out = ex.stream("text/html; charset=utf-8", null)) {
            html.writeTo(out);
        }
    }

    /**
     * Starts a streamed trace into {@code out} for {@code what}; or answers 409 (another trace
     * runs) or 500 (the tracer cannot start) and returns null.
     */
    private TraceControl.Stream startStream(DebugExchange ex, OutputStream out, TraceOptions options, String what)
            throws IOException {
        try {
            return TraceControl.startStream(out, options, what);
        } catch (TraceControl.Busy e) {
            ex.text(409, conflict(e));
        } catch (IllegalStateException e) {
            ex.text(500, "500 Internal Server Error: cannot trace (" + e.getMessage() + ")\n");
        }
        return null;
    }

    // ---- access ----

    private boolean authorized(DebugExchange ex) throws IOException {
        if (token != null) {
            String auth = ex.header("Authorization");
            boolean ok = auth != null && auth.startsWith("Bearer ")
                    && MessageDigest.isEqual(token, auth.substring("Bearer ".length()).strip().getBytes(StandardCharsets.UTF_8));
            if (!ok) {
                ex.responseHeader("WWW-Authenticate", "Bearer realm=\"loomtrace-debug\"");
                ex.text(401, "401 Unauthorized: " + (auth == null ? "missing" : "wrong")
                        + " debug token; send 'Authorization: Bearer <token>' with the token " + who + " was started with\n");
                return false;
            }
            return true;
        }
        if (!ex.fromLoopback()) {
            ex.text(403, "403 Forbidden: without a debug token, /debug is served to loopback clients only\n");
            return false;
        }
        return true;
    }

    private static boolean requireMethod(String want, DebugExchange ex) throws IOException {
        if (want.equals(ex.method())) {
            return true;
        }
        ex.responseHeader("Allow", want);
        ex.text(405, "405 Method Not Allowed: use " + want + "\n");
        return false;
    }

    private static String conflict(TraceControl.Busy e) {
        return "409 Conflict: " + e.getMessage() + "; "
                + (e.flight() ? "GET /debug/flight for a snapshot, or POST /debug/flight/stop first" : "try again when it ends")
                + "\n";
    }

    private static long number(String v, String name, long dflt, long max) {
        if (v == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.strip());
            if (n < 1 || n > max) {
                throw new IllegalArgumentException(name + " must be between 1 and " + max + "; got '" + v + "'");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number; got '" + v + "'");
        }
    }

    private static String now() {
        return LocalDateTime.now(ZoneOffset.UTC).format(FILE_TIME);
    }

    /** Opens the response body at the first write, so that nothing is sent before the tracer is ours. */
    private static final class LazyStream extends OutputStream {
        private final Supplier<OutputStream> open;
        private OutputStream out;

        LazyStream(Supplier<OutputStream> open) {
            this.open = open;
        }

        /** The body of {@code ex}'s binary response, a download named {@code fileName}, begun at the first write. */
        static LazyStream response(DebugExchange ex, String fileName) {
            return new LazyStream(() -> {
                try {
                    return ex.stream("application/octet-stream", fileName);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }

        /** True once the response has begun. */
        boolean isOpen() {
            return out != null;
        }

        private OutputStream out() throws IOException {
            if (out == null) {
                try {
                    out = open.get();
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                }
            }
            return out;
        }

        @Override
        public void write(int b) throws IOException {
            out().write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out().write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out().flush();
        }

        @Override
        public void close() throws IOException {
            out().close();
        }
    }
}
