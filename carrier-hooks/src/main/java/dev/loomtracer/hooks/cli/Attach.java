package dev.loomtracer.hooks.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.VirtualMachine;
import dev.loomtracer.TraceOptions;
import dev.loomtracer.hooks.agent.AgentOptions;
import dev.loomtracer.hooks.agent.AttachProtocol;
import dev.loomtracer.hooks.agent.AttachRequest;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;

/**
 * {@code loomtrace attach PID ...}: traces a JVM that is already running, started without any
 * option, by loading the Loom Tracer agent into it through the JDK's Attach API, and writes the
 * trace here: the agent streams it back over a loopback connection ({@link AttachProtocol}).
 *
 * <p>Invariants: the target keeps running as before (the agent never throws into it nor writes
 * to its output; only the JVM's own warning for a dynamically loaded agent appears, JEP 451); a
 * second attach reuses the agent already loaded; the output file appears only once trace bytes
 * arrive, and a trace cut short is said to be so (exit 1), never passed off as complete.
 */
public final class Attach {
    private Attach() {}

    static final String USAGE = """
            usage: loomtrace attach PID --seconds N -o FILE [--stacks off|on-block|every-block|all]
                   loomtrace attach PID --stop
                   loomtrace attach PID --flight start [--window DURATION|SIZE|DURATION/SIZE] [--stacks MODE]
                   loomtrace attach PID --flight snapshot -o FILE
                   loomtrace attach PID --flight stop

            Loads the Loom Tracer agent into the running JDK 25 JVM PID (once: later attaches reuse it) and
              --seconds N -o FILE   traces its virtual threads for N seconds into FILE (written here, by this tool)
              --stacks MODE         stacks on events: off (default), on-block (sampled), every-block, all
              --stop                ends early the trace another `loomtrace attach` is taking (its file stays complete)
              --flight start        starts the flight recorder in it: keeps the last --window of trace in memory
                                    (default 30s/64MiB)
              --flight snapshot     writes the flight recorder's window to FILE (the recorder keeps running)
              --flight stop         stops the flight recorder
            `loomtrace list` shows the JVMs, and what the agent does in each.
            """;

    /** How long the agent has to connect back once loaded (a liveness guard, not a timing). */
    private static final Duration CONNECT_GUARD = Duration.ofSeconds(60);

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        long pid = -1;
        double seconds = -1;
        String output = null;
        String stacks = "off";
        String flight = null;
        String window = null;
        boolean stop = false;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "-h", "--help" -> {
                        out.print(USAGE);
                        return 0;
                    }
                    case "--seconds" -> seconds = positive(next(args, ++i, a), a);
                    case "-o", "--output" -> output = next(args, ++i, a);
                    case "--stacks" -> stacks = next(args, ++i, a);
                    case "--flight" -> flight = next(args, ++i, a);
                    case "--window" -> window = next(args, ++i, a);
                    case "--stop" -> stop = true;
                    default -> {
                        if (a.startsWith("-") || pid >= 0) {
                            throw new IllegalArgumentException("unknown argument " + a);
                        }
                        try {
                            pid = Long.parseLong(a);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("PID must be a process id (a number), got '" + a + "'");
                        }
                    }
                }
            }
            if (pid < 0) {
                throw new IllegalArgumentException("no PID given (loomtrace list shows the JVMs)");
            }
        } catch (IllegalArgumentException e) {
            return usage(err, e.getMessage());
        }
        AttachRequest.Action action;
        int modes = (seconds > 0 ? 1 : 0) + (stop ? 1 : 0) + (flight != null ? 1 : 0);
        if (modes != 1) {
            return usage(err, "give exactly one of --seconds N, --stop, --flight start|snapshot|stop");
        }
        if (seconds > 0) {
            action = AttachRequest.Action.TRACE;
        } else if (stop) {
            action = AttachRequest.Action.STOP;
        } else {
            action = switch (flight) {
                case "start" -> AttachRequest.Action.FLIGHT_START;
                case "snapshot" -> AttachRequest.Action.FLIGHT_SNAPSHOT;
                case "stop" -> AttachRequest.Action.FLIGHT_STOP;
                default -> null;
            };
            if (action == null) {
                return usage(err, "--flight takes start, snapshot or stop, got '" + flight + "'");
            }
        }
        boolean writes = action == AttachRequest.Action.TRACE || action == AttachRequest.Action.FLIGHT_SNAPSHOT;
        if (writes && output == null) {
            return usage(err, "-o FILE is needed: where the trace is written");
        }
        if (!writes && output != null) {
            return usage(err, "-o goes with --seconds or --flight snapshot");
        }
        TraceOptions.Stacks stackMode;
        Duration age = null;
        long bytes = 0;
        try {
            stackMode = TraceOptions.Stacks.parse(stacks);
            if (stackMode == null) {
                throw new IllegalArgumentException("--stacks takes " + TraceOptions.Stacks.WORDS + ", got '" + stacks + "'");
            }
            if (window != null) {
                if (action != AttachRequest.Action.FLIGHT_START) {
                    throw new IllegalArgumentException("--window goes with --flight start");
                }
                AgentOptions.FlightWindow w = AgentOptions.flightWindow(window);
                age = w.age();
                bytes = w.bytes();
            }
        } catch (IllegalArgumentException e) {
            return usage(err, e.getMessage());
        }
        Path file = output == null ? null : Path.of(output).toAbsolutePath();
        if (file != null && file.getParent() != null && !Files.isDirectory(file.getParent())) {
            err.println("loomtrace attach: no such directory: " + file.getParent());
            return 1;
        }
        Path jar;
        try {
            jar = dev.loomtracer.hooks.agent.AgentJarLookup.find();
        } catch (IllegalStateException e) {
            err.println("loomtrace attach: " + e.getMessage());
            return 1;
        }
        try {
            return attach(pid, action, seconds, stackMode, age, bytes, jar, file, out, err);
        } catch (JvmTarget.Refused e) {
            err.println("loomtrace attach: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("loomtrace attach: " + e.getMessage());
            return 1;
        }
    }

    private static int attach(long pid, AttachRequest.Action action, double seconds, TraceOptions.Stacks stacks,
                              Duration age, long bytes, Path jar, Path file, PrintStream out, PrintStream err)
            throws JvmTarget.Refused, IOException {
        VirtualMachine vm = JvmTarget.attach(pid);
        try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            byte[] k = new byte[16];
            new SecureRandom().nextBytes(k);
            String key = HexFormat.of().formatHex(k);
            AttachRequest req = new AttachRequest(action, server.getLocalPort(), key, seconds, stacks, age, bytes);
            try {
                vm.loadAgent(jar.toString(), req.toOptions());
            } catch (AgentLoadException e) {
                String m = String.valueOf(e.getMessage());
                if (m.contains("EnableDynamicAgentLoading")) {
                    throw new JvmTarget.Refused("process " + pid + " runs with -XX:-EnableDynamicAgentLoading, which forbids "
                            + "loading an agent into a running JVM. Restart it without that option (JDK 25 allows it, with a "
                            + "warning), or with -XX:+EnableDynamicAgentLoading, or with -javaagent:loomtrace.jar=http=127.0.0.1:PORT "
                            + "and use its /debug endpoints");
                }
                throw new JvmTarget.Refused("process " + pid + " could not load the agent " + jar + ": " + m);
            } catch (AgentInitializationException e) {
                throw new JvmTarget.Refused("the agent did not start in process " + pid + ": " + e.getMessage());
            } catch (IOException e) {
                throw new JvmTarget.Refused("process " + pid + " stopped answering while the agent loaded: " + e.getMessage());
            }
            try (Socket s = accept(server, key, pid)) {
                return receive(s, pid, action, seconds, file, out, err);
            }
        } finally {
            JvmTarget.detach(vm);
        }
    }

    /** The agent's connection (with our key); refuses if the target dies or never connects. */
    private static Socket accept(ServerSocket server, String key, long pid) throws IOException, JvmTarget.Refused {
        server.setSoTimeout(500);
        long deadline = System.nanoTime() + CONNECT_GUARD.toNanos();
        while (System.nanoTime() < deadline) {
            Socket s;
            try {
                s = server.accept();
            } catch (SocketTimeoutException e) {
                if (!alive(pid)) {
                    throw new JvmTarget.Refused("process " + pid + " exited before the agent answered");
                }
                continue;
            }
            s.setSoTimeout(10_000);
            try {
                InputStream in = s.getInputStream();
                byte[] got = in.readNBytes(key.length() + 1);
                if (new String(got, StandardCharsets.US_ASCII).equals(key + "\n")) {
                    return s;
                }
            } catch (IOException e) {
                // not our agent
            }
            s.close();
        }
        throw new JvmTarget.Refused("the agent in process " + pid + " did not connect back within " + CONNECT_GUARD.toSeconds()
                + " s (is loopback networking blocked in the target?)");
    }

    private static int receive(Socket s, long pid, AttachRequest.Action action, double seconds, Path file,
                               PrintStream out, PrintStream err) throws IOException {
        // A read times out only to look whether the target still lives; the wait itself is unbounded
        // while it does (a trace lasts its N seconds, a snapshot as long as writing it takes).
        s.setSoTimeout(1000);
        DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 16));
        Path tmp = file == null ? null : file.resolveSibling(file.getFileName() + ".part");
        OutputStream fileOut = null;
        long received = 0;
        try {
            for (;;) {
                AttachProtocol.Frame f;
                try {
                    f = AttachProtocol.read(in);
                } catch (SocketTimeoutException e) {
                    if (!alive(pid)) {
                        f = null;
                    } else {
                        continue;
                    }
                } catch (EOFException e) {
                    f = null;
                }
                if (f == null) {
                    return cut(pid, file, tmp, fileOut, received, err);
                }
                switch (f.type()) {
                    case AttachProtocol.DATA -> {
                        if (fileOut == null) {
                            fileOut = Files.newOutputStream(tmp);
                        }
                        fileOut.write(f.payload());
                        received += f.payload().length;
                    }
                    case AttachProtocol.MESSAGE -> err.println("loomtrace attach: process " + pid + ": " + f.text());
                    case AttachProtocol.END, AttachProtocol.EXITING -> {
                        if (fileOut != null) {
                            fileOut.close();
                            fileOut = null;
                            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                        }
                        if (f.type() == AttachProtocol.EXITING) {
                            err.println("loomtrace attach: process " + pid + " exited during the trace; " + file
                                    + " holds the trace up to its exit (" + received + " bytes, complete: " + f.text() + ")");
                            return 1;
                        }
                        if (file != null) {
                            out.println("loomtrace attach: wrote " + received + " bytes to " + file + " (" + f.text() + ")");
                            if (action == AttachRequest.Action.TRACE) {
                                out.println("  " + dev.loomtracer.cli.GoTool.openHint(file).replace("\n", "\n  ")
                                        + "\n  check it with: loomtrace validate " + file);
                            }
                        } else {
                            out.println("loomtrace attach: process " + pid + ": " + f.text());
                        }
                        return 0;
                    }
                    case AttachProtocol.ERROR -> {
                        err.println("loomtrace attach: process " + pid + ": " + f.text());
                        return 1;
                    }
                    default -> throw new IOException("malformed answer from the agent (frame type " + f.type() + ")");
                }
            }
        } finally {
            if (fileOut != null) {
                fileOut.close();
            }
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** The connection ended without an end frame: the target died mid-answer. */
    private static int cut(long pid, Path file, Path tmp, OutputStream fileOut, long received, PrintStream err) throws IOException {
        String why = alive(pid) ? "the agent's connection from process " + pid + " closed" : "process " + pid + " died";
        if (received == 0) {
            err.println("loomtrace attach: " + why + " before sending anything; no file written");
            return 1;
        }
        fileOut.close();
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.move(tmp, partial, StandardCopyOption.REPLACE_EXISTING);
        err.println("loomtrace attach: " + why + " mid-trace after " + received + " bytes: the trace is cut short and was "
                + "written to " + partial + " (not " + file + "); its complete generations convert with "
                + "loomtrace to-jfr --partial " + partial);
        return 1;
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static double positive(String v, String opt) {
        try {
            double d = Double.parseDouble(v);
            if (d > 0 && d <= 3600) {
                return d;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(opt + " takes a number of seconds between 0 and 3600, got '" + v + "'");
    }

    private static String next(String[] args, int i, String opt) {
        if (i >= args.length) {
            throw new IllegalArgumentException(opt + " needs a value");
        }
        return args[i];
    }

    private static int usage(PrintStream err, String msg) {
        err.println("loomtrace attach: " + msg);
        err.print(USAGE);
        return 2;
    }
}
