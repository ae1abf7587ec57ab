package dev.loomtracer.debug;

import dev.loomtracer.FlightRecorder;
import dev.loomtracer.LoomTrace;
import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;

import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Who holds this JVM's tracer, for every way of starting a trace from outside the program: the
 * HTTP endpoints (the agent's {@code http=} option and the example server), {@code loomtrace
 * attach}, and the flight recorder the agent starts for its triggers.
 *
 * <p>Invariant: one holder at a time (the engine runs one trace per JVM), and whoever holds the
 * tracer keeps it: a request that needs it while it is held gets {@link Busy}, naming the holder;
 * nothing is ever stopped or paused to make room (a flight recorder holds the history before an
 * incident, and pausing it for a streamed trace would drop it exactly when someone is looking).
 */
public final class TraceControl {
    private TraceControl() {}

    /**
     * The system property that tells what holds the tracer (what {@link #state()} says), kept up
     * to date at every change, so that a tool can read it without running code in the JVM
     * ({@code loomtrace list} reads it through the Attach API).
     */
    public static final String STATE_PROPERTY = "loomtrace.state";

    private static final Object LOCK = new Object();
    private static String holder;          // guarded by LOCK
    private static FlightRecorder flight;  // guarded by LOCK
    private static Stream stream;          // guarded by LOCK

    /** The tracer is taken. The message names the holder; {@link #flight()} says whether it is the flight recorder. */
    public static final class Busy extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean flight;

        Busy(String message, boolean flight) {
            super(message, null, false, false);
            this.flight = flight;
        }

        /** True if the holder is the flight recorder (a snapshot may be what the caller wants). */
        public boolean flight() {
            return flight;
        }
    }

    /** A streamed trace: runs until its time is up, {@link #stop()} is called, or its sink fails. */
    public static final class Stream {
        private final CountDownLatch stopRequested = new CountDownLatch(1);

        private Stream() {}

        /**
         * Traces for {@code seconds} (or until {@link #stop()}, or the sink fails), then stops the
         * trace and returns its result; frees the tracer whatever happens.
         *
         * @throws java.io.UncheckedIOException if writing to the sink failed
         */
        public TraceResult runFor(double seconds) {
            try {
                long end = System.nanoTime() + (long) (seconds * 1e9);
                for (long left; (left = end - System.nanoTime()) > 0 && LoomTrace.isRunning(); ) {
                    // The trace stops itself when its sink fails: look again at least every 100 ms.
                    if (stopRequested.await(Math.min(left, 100_000_000L), TimeUnit.NANOSECONDS)) {
                        break;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                synchronized (LOCK) {
                    if (stream == this) {
                        stream = null;
                        holder = null;
                    }
                }
            }
            TraceResult r = LoomTrace.stop();
            publish();
            return r;
        }

        /** Ends the trace early (the caller of {@link #runFor} then stops it and returns). */
        public void stop() {
            stopRequested.countDown();
        }
    }

    /**
     * Starts a streamed trace into {@code out} for {@code who} (a description for the messages of
     * whoever finds the tracer taken). Nothing is written to {@code out} if this throws.
     *
     * @throws Busy if the tracer is taken
     * @throws IllegalStateException if the tracer cannot run in this JVM (the message says why)
     */
    public static Stream startStream(OutputStream out, TraceOptions options, String who) throws Busy {
        synchronized (LOCK) {
            checkFree();
            try {
                LoomTrace.start(out, options);
            } catch (IllegalStateException e) {
                if (LoomTrace.isRunning()) {
                    throw outsideHolder();
                }
                throw e;
            }
            holder = who + " (since " + Instant.now().truncatedTo(ChronoUnit.MILLIS) + ")";
            stream = new Stream();
            publish();
            return stream;
        }
    }

    /** Asks the running streamed trace to end now; false if none runs. */
    public static boolean stopStream() {
        synchronized (LOCK) {
            if (stream == null) {
                return false;
            }
            stream.stop();
            return true;
        }
    }

    /**
     * Starts the flight recorder for {@code who}.
     *
     * @throws Busy if the tracer is taken
     * @throws IllegalArgumentException if the window is invalid (the message says why)
     */
    public static FlightRecorder startFlight(Duration window, long maxBytes, TraceOptions options, String who) throws Busy {
        synchronized (LOCK) {
            checkFree();
            try {
                flight = FlightRecorder.start(window, maxBytes, options);
            } catch (IllegalStateException e) {
                if (LoomTrace.isRunning()) {
                    throw outsideHolder();
                }
                throw e;
            }
            holder = "the flight recorder of " + who + " (window " + describeWindow(window, maxBytes) + ", since "
                    + Instant.now().truncatedTo(ChronoUnit.MILLIS) + ")";
            publish();
            return flight;
        }
    }

    /** The running flight recorder, or null. */
    public static FlightRecorder flight() {
        synchronized (LOCK) {
            return flight;
        }
    }

    /** Stops the flight recorder; null if it was not running. */
    public static TraceResult stopFlight() {
        synchronized (LOCK) {
            if (flight == null) {
                return null;
            }
            TraceResult r = flight.stop();
            flight = null;
            holder = null;
            publish();
            return r;
        }
    }

    /** What holds the tracer, or "idle". */
    public static String state() {
        synchronized (LOCK) {
            if (holder != null) {
                return (flight != null ? "flight recorder: " : "tracing: ") + holder;
            }
            return LoomTrace.isRunning() ? "tracing (started by the program or the agent's output= option)" : "idle";
        }
    }

    /** Publishes {@link #state()} in {@value #STATE_PROPERTY}. */
    public static void publish() {
        try {
            System.setProperty(STATE_PROPERTY, state());
        } catch (SecurityException e) {
            // not published
        }
    }

    /** "30 s / 64 MiB", or "64 MiB" when only the size bounds it. */
    public static String describeWindow(Duration window, long maxBytes) {
        return (window.toDays() >= 1 ? "" : fmt(window.toMillis() / 1000.0) + " s / ") + (maxBytes >> 20) + " MiB";
    }

    private static void checkFree() throws Busy {
        if (holder != null) {
            throw new Busy("a trace is already running: " + holder + ". One trace runs at a time in a JVM", flight != null);
        }
        if (LoomTrace.isRunning()) {
            throw outsideHolder();
        }
    }

    private static Busy outsideHolder() {
        return new Busy("a trace is already running in this JVM, started outside these controls (by the program, "
                + "or the agent's output= option). One trace runs at a time in a JVM", false);
    }

    static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
