package dev.loomtracer.hooks.agent;

import dev.loomtracer.FlightRecorder;
import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import dev.loomtracer.debug.TraceControl;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One request of {@code loomtrace attach}, carried out in the target on a daemon platform thread
 * of its own: connects back to the tool ({@link AttachProtocol}), does the action through
 * {@link TraceControl} (so an attach and the HTTP endpoints share the tracer's one-holder rule),
 * and streams the answer.
 *
 * <p>Invariants: nothing here throws into the target or writes to its stdout or stderr: every
 * outcome goes back to the tool, or is dropped if the tool is gone; a streamed trace that the
 * target's exit interrupts is stopped and flushed by a shutdown hook, and its end is told as
 * {@link AttachProtocol#EXITING}, so the tool's file stays a complete trace.
 */
final class AttachSession {
    private static final long EXIT_FLUSH_MILLIS = 5_000;

    private final AttachRequest req;
    private final List<String> notes;
    private volatile boolean exiting;

    private AttachSession(AttachRequest req, List<String> notes) {
        this.req = req;
        this.notes = notes;
    }

    /** Starts the session's thread; returns at once. {@code notes} go to the tool first. */
    static void start(AttachRequest req, List<String> notes) {
        AttachSession s = new AttachSession(req, notes);
        Thread.ofPlatform().daemon().name("loomtrace-attach").start(s::run);
    }

    private void run() {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), req.port())) {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
            out.write((req.key() + "\n").getBytes(StandardCharsets.US_ASCII));
            for (String n : notes) {
                AttachProtocol.text(out, AttachProtocol.MESSAGE, n);
            }
            try {
                act(out);
            } catch (RuntimeException | Error e) {
                AttachProtocol.text(out, AttachProtocol.ERROR, "the agent failed: " + e);
            }
        } catch (IOException | RuntimeException e) {
            // The tool is gone (or never listened): no one to tell; the target goes on.
        }
    }

    private void act(DataOutputStream out) throws IOException {
        switch (req.action()) {
            case TRACE -> trace(out);
            case STOP -> {
                if (TraceControl.stopStream()) {
                    AttachProtocol.text(out, AttachProtocol.END, "stopped the running trace early; the tool that started it writes its file");
                } else if (TraceControl.flight() != null) {
                    AttachProtocol.text(out, AttachProtocol.ERROR, "no streamed trace is running, the flight recorder is: "
                            + "stop it with --flight stop");
                } else {
                    AttachProtocol.text(out, AttachProtocol.ERROR, "no trace is running (" + TraceControl.state() + ")");
                }
            }
            case FLIGHT_START -> {
                Duration age = req.flightAge() != null ? req.flightAge() : Duration.ofSeconds(30);
                long bytes = req.flightBytes() > 0 ? req.flightBytes() : AgentOptions.DEFAULT_FLIGHT_BYTES;
                try {
                    TraceControl.startFlight(age, bytes, TraceOptions.defaults().stacks(req.stacks()), "loomtrace attach");
                    AttachProtocol.text(out, AttachProtocol.END, "flight recorder started: keeps the last "
                            + TraceControl.describeWindow(age, bytes) + " of trace in memory; take a snapshot with --flight snapshot -o FILE");
                } catch (TraceControl.Busy e) {
                    AttachProtocol.text(out, AttachProtocol.ERROR, e.getMessage());
                } catch (IllegalArgumentException | IllegalStateException e) {
                    AttachProtocol.text(out, AttachProtocol.ERROR, "the flight recorder cannot start: " + e.getMessage());
                }
            }
            case FLIGHT_SNAPSHOT -> {
                FlightRecorder fr = TraceControl.flight();
                if (fr == null) {
                    AttachProtocol.text(out, AttachProtocol.ERROR, "the flight recorder is not running (start it with --flight start)");
                    return;
                }
                long n;
                try {
                    n = fr.writeTo(AttachProtocol.data(out));
                } catch (IllegalStateException e) {
                    AttachProtocol.text(out, AttachProtocol.ERROR, e.getMessage() + "; try again");
                    return;
                }
                AttachProtocol.text(out, AttachProtocol.END, "flight recorder snapshot: " + n + " bytes (the recorder keeps running)");
            }
            case FLIGHT_STOP -> {
                TraceResult r = TraceControl.stopFlight();
                AttachProtocol.text(out, r == null ? AttachProtocol.ERROR : AttachProtocol.END, r == null
                        ? "the flight recorder is not running"
                        : "flight recorder stopped (" + r.generations() + " generations traced" + loss(r) + ")");
            }
            case STATUS -> AttachProtocol.text(out, AttachProtocol.END, TraceControl.state());
        }
    }

    private void trace(DataOutputStream out) throws IOException {
        // The exit hook is registered before the trace starts: a program that exits as soon as it
        // sees the trace running (AttachTest's child does) would otherwise exit before the hook
        // exists, and the tool would get no end of the trace and no word of the exit.
        Thread self = Thread.currentThread();
        AtomicReference<TraceControl.Stream> started = new AtomicReference<>();
        Thread onExit = new Thread(() -> {
            exiting = true;
            TraceControl.Stream s = started.get();
            if (s != null) {
                s.stop();
            }
            try {
                self.join(EXIT_FLUSH_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "loomtrace-attach-exit");
        boolean hooked = addShutdownHook(onExit);
        TraceControl.Stream stream;
        try {
            stream = TraceControl.startStream(AttachProtocol.data(out), TraceOptions.defaults().stacks(req.stacks()),
                    "loomtrace attach (a trace of " + req.seconds() + " s)");
        } catch (TraceControl.Busy e) {
            removeShutdownHook(hooked, onExit);
            AttachProtocol.text(out, AttachProtocol.ERROR, e.getMessage() + (e.flight()
                    ? ": take a snapshot with --flight snapshot -o FILE, or stop it with --flight stop"
                    : ": wait for it to end, or end a trace started by loomtrace attach with --stop"));
            return;
        } catch (IllegalStateException e) {
            removeShutdownHook(hooked, onExit);
            AttachProtocol.text(out, AttachProtocol.ERROR, "cannot trace: " + e.getMessage());
            return;
        }
        started.set(stream);
        if (exiting) {
            stream.stop(); // the exit began while the trace was starting: end it now, as the hook would have
        }
        TraceResult r;
        try {
            r = stream.runFor(req.seconds());
        } catch (UncheckedIOException e) {
            removeShutdownHook(hooked, onExit);
            return; // the tool went away: the trace stopped itself
        }
        if (!exiting) {
            removeShutdownHook(hooked, onExit);
        }
        out.flush();
        String what = "traced " + (r == null ? "?" : r.generations() + " generations") + (r == null ? "" : loss(r));
        AttachProtocol.text(out, exiting ? AttachProtocol.EXITING : AttachProtocol.END, what);
    }

    private static String loss(TraceResult r) {
        return r.complete() ? "" : "; " + r.lostEvents() + " events lost, " + r.inconsistentEvents() + " inconsistent, "
                + r.nestedEvents() + " nested (counted, not in the trace)";
    }

    private static boolean addShutdownHook(Thread t) {
        try {
            Runtime.getRuntime().addShutdownHook(t);
            return true;
        } catch (IllegalStateException e) {
            return false; // already exiting
        }
    }

    private static void removeShutdownHook(boolean hooked, Thread t) {
        if (hooked) {
            try {
                Runtime.getRuntime().removeShutdownHook(t);
            } catch (IllegalStateException e) {
                // exiting now: the hook runs and finds the trace stopped
            }
        }
    }
}
