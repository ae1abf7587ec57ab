package dev.loomtracer.jfr.cli;

import dev.loomtracer.jfr.convert.JfrConverter;
import dev.loomtracer.jfr.model.ClockLog;
import dev.loomtracer.jfr.raw.RawTraceException;
import dev.loomtracer.parse.TraceFormatException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * {@code loomtrace to-jfr TRACE [-o OUT.jfr] [--start ISO-INSTANT] [--partial] [--quiet]}:
 * converts a trace into a JFR recording for JDK Mission Control.
 *
 * <p>Invariant: without {@code -o} an existing file is never replaced (exit 2, nothing written).
 * Exit 0 and a summary (events per JFR type, longest park and pinned episode) on
 * stdout when the whole trace converted; exit 1 with one message naming the byte offset and
 * generation on stderr for an invalid trace (no output file is left); exit 2 for a usage error or
 * an unreadable input. Progress goes to stderr (once a second at most) unless {@code --quiet}.
 * Bad input never produces a stack trace.
 */
public final class ToJfr {
    private ToJfr() {}

    /** Held so the level set on it sticks (JUL keeps loggers weakly). */
    private static final java.util.logging.Logger JMC_READER_LOG =
            java.util.logging.Logger.getLogger("org.openjdk.jmc.flightrecorder.internal.parser.v1.ValueReaders");

    static final String USAGE = """
            usage: loomtrace to-jfr TRACE [-o OUT.jfr] [--start ISO-INSTANT] [--partial] [--analyze] [--quiet]
                   loomtrace to-jfr --jfc > loomtracer.jfc   (JFR settings for the live bridge's events)
              -o OUT.jfr     output file, replaced if it exists (default: TRACE with .jfr instead of its
                             extension, which must not exist yet)
              --start T      wall-clock time of the trace's first event, e.g. 2025-01-31T12:00:00Z
                             (default: from the trace's clock log, else the file's modification time)
              --partial      convert the complete generations of a truncated trace instead of failing
              --analyze      then load the .jfr with JMC's parser and run JMC's automated analysis
                             (JDK rules and the Loom Tracer rules: longest park, longest pinned block)
              --quiet        no progress on stderr""";

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path in = null;
        Path jfr = null;
        Long start = null;
        boolean partial = false;
        boolean quiet = false;
        boolean analyze = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help" -> {
                    out.println(USAGE);
                    return 0;
                }
                case "-o", "--output" -> {
                    if (++i >= args.length) {
                        return usage(err, a + " needs a file name");
                    }
                    jfr = Path.of(args[i]);
                }
                case "--start" -> {
                    if (++i >= args.length) {
                        return usage(err, "--start needs a time");
                    }
                    try {
                        Instant t = Instant.parse(args[i]);
                        start = t.getEpochSecond() * 1_000_000_000L + t.getNano();
                    } catch (DateTimeParseException e) {
                        return usage(err, "--start: not an ISO-8601 instant: " + args[i]);
                    }
                }
                case "--jfc" -> {
                    out.print(dev.loomtracer.jfr.live.JfrBridge.settingsFile());
                    return 0;
                }
                case "--partial" -> partial = true;
                case "--analyze" -> analyze = true;
                case "--quiet", "-q" -> quiet = true;
                default -> {
                    if (a.startsWith("-") && a.length() > 1) {
                        return usage(err, "unknown option " + a);
                    }
                    if (in != null) {
                        return usage(err, "one trace at a time (got " + in + " and " + a + ")");
                    }
                    in = Path.of(a);
                }
            }
        }
        if (in == null) {
            return usage(err, "no trace given");
        }
        if (!Files.isRegularFile(in) || !Files.isReadable(in)) {
            err.println("to-jfr: cannot read " + in + ": no such readable file");
            return 2;
        }
        if (jfr == null) {
            String name = in.getFileName().toString();
            int dot = name.lastIndexOf('.');
            jfr = in.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".jfr");
            if (Files.exists(jfr)) {
                // Only an explicit -o replaces a file: a default name must never eat a recording.
                err.println("to-jfr: " + jfr + " already exists; not replacing it. Give -o " + jfr
                        + " to replace it, or -o another file");
                return 2;
            }
        }
        Path parent = jfr.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            err.println("to-jfr: cannot write " + jfr + ": no such directory");
            return 2;
        }

        ProgressPrinter progress = quiet ? null : new ProgressPrinter(err, in);
        JfrConverter.Options opts = JfrConverter.Options.defaults().withStart(start).withPartial(partial)
                .withProgress(progress);
        JfrConverter.Result r;
        try {
            r = JfrConverter.convert(in, jfr, opts);
        } catch (TraceFormatException | RawTraceException e) {
            if (progress != null) {
                progress.clear();
            }
            err.println(in + ": " + e.getMessage());
            if (e instanceof TraceFormatException t && t.truncated()) {
                err.println("to-jfr: the trace is truncated; --partial converts its complete generations");
            }
            err.println("to-jfr: nothing written");
            return 1;
        } catch (ClockLog.Malformed e) {
            if (progress != null) {
                progress.clear();
            }
            err.println(in + ": " + e.getMessage());
            err.println("to-jfr: nothing written");
            return 1;
        } catch (NoSuchFileException e) {
            err.println("to-jfr: no such file: " + e.getFile());
            return 2;
        } catch (IOException e) {
            if (progress != null) {
                progress.clear();
            }
            err.println("to-jfr: converting " + in + ": " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            // Not expected (the fuzz test looks for these): still one line naming the input, no stack trace.
            if (progress != null) {
                progress.clear();
            }
            err.println(in + ": conversion failed: " + e.getMessage());
            err.println("to-jfr: nothing written");
            return 1;
        }
        if (progress != null) {
            progress.clear();
        }
        report(out, in, jfr, r);
        if (r.truncation() != null) {
            err.println("to-jfr: warning: " + r.truncation() + "; converted the complete generations before it");
        }
        if (analyze) {
            return analyze(out, err, jfr);
        }
        return 0;
    }

    /** JMC's parser and automated analysis over the output; exit 1 if JMC cannot load it or a rule fails. */
    static int analyze(PrintStream out, PrintStream err, Path jfr) {
        // JMC 9.1.2's thread reader predates java.lang.Thread's "virtual" field and warns once per file.
        JMC_READER_LOG.setLevel(java.util.logging.Level.SEVERE);
        org.openjdk.jmc.common.item.IItemCollection items;
        try {
            items = dev.loomtracer.jfr.jmc.JmcAnalysis.load(jfr);
        } catch (IOException e) {
            err.println("to-jfr: " + e.getMessage());
            return 1;
        }
        java.util.List<dev.loomtracer.jfr.jmc.JmcAnalysis.Outcome> outcomes = dev.loomtracer.jfr.jmc.JmcAnalysis.runRules(items);
        Map<String, Long> bySeverity = new java.util.TreeMap<>();
        int errors = 0;
        for (var o : outcomes) {
            bySeverity.merge(o.error() != null ? "ERROR" : o.severity().name(), 1L, Long::sum);
            if (o.error() != null) {
                errors++;
            }
        }
        out.printf("JMC automated analysis: %d rules %s%n", outcomes.size(), bySeverity);
        for (var o : outcomes) {
            boolean ours = o.ruleId().startsWith("LoomTracer");
            if (o.error() != null) {
                out.printf("  ERROR   %s: %s%n", o.ruleName(), o.error());
            } else if (ours || o.severity() == org.openjdk.jmc.flightrecorder.rules.Severity.WARNING) {
                out.printf("  %-7s %s: %s%n", o.severity(), o.ruleName(), o.summary());
            }
        }
        return errors == 0 ? 0 : 1;
    }

    private static int usage(PrintStream err, String why) {
        err.println("to-jfr: " + why);
        err.println(USAGE);
        return 2;
    }

    static void report(PrintStream out, Path in, Path jfr, JfrConverter.Result r) {
        out.printf("%s -> %s: %d JFR events in %d chunk(s) from %d trace events in %d generation(s)%n",
                in, jfr, r.jfrEvents(), r.chunks(), r.traceEvents(), r.generations());
        out.printf("  time %s .. %s (wall clock from the %s)%n", r.start(), r.end(), r.clockSource());
        out.printf("  threads: %d virtual, %d carriers, %d platform threads that emitted events outside the scheduler%n",
                r.threads().virtualThreads().size(), r.threads().carriers().size(), r.threads().platformThreads().size());
        for (Map.Entry<String, Long> e : r.eventCounts().entrySet()) {
            out.printf("  %-40s %d%n", e.getKey(), e.getValue());
        }
        JfrConverter.LongestWait p = r.longestPark();
        if (p != null) {
            out.printf("  longest park:   %.3f ms, virtual thread %d, %s%s%n", p.durationNanos() / 1e6, p.thread(),
                    p.reason(), p.unparker() > 0 ? ", unparked by " + p.unparker() : "");
        }
        JfrConverter.LongestWait pin = r.longestPinned();
        if (pin != null) {
            out.printf("  longest pinned: %.3f ms, virtual thread %d on carrier %d%s%n", pin.durationNanos() / 1e6,
                    pin.thread(), pin.carrier(), pin.reason().isEmpty() ? "" : ", " + pin.reason());
        }
        out.println("Open it in JDK Mission Control (File > Open File...), or: jfr summary " + jfr);
    }

    /** Progress on stderr: at most once a second, on one line when stderr is a terminal. */
    static final class ProgressPrinter implements java.util.function.Consumer<JfrConverter.Progress> {
        private final PrintStream err;
        private final Path in;
        private final boolean tty = System.console() != null;
        private long last = System.nanoTime();
        private boolean printed;

        ProgressPrinter(PrintStream err, Path in) {
            this.err = err;
            this.in = in;
        }

        @Override
        public void accept(JfrConverter.Progress p) {
            long now = System.nanoTime();
            if (now - last < 1_000_000_000L) {
                return;
            }
            last = now;
            String line = String.format("to-jfr: %s: %3.0f%% (generation %d of %d, %d JFR events)",
                    in.getFileName(), p.fraction() * 100, p.generation(), p.generations(), p.jfrEvents());
            if (tty) {
                err.print("\r" + line);
            } else {
                err.println(line);
            }
            printed = true;
        }

        void clear() {
            if (printed && tty) {
                err.print("\r" + " ".repeat(79) + "\r");
            }
        }
    }
}
