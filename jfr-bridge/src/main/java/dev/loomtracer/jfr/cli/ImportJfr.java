package dev.loomtracer.jfr.cli;

import dev.loomtracer.jfr.imports.JfrMerger;
import dev.loomtracer.jfr.imports.RecordingFormatException;
import dev.loomtracer.jfr.model.ClockLog;
import dev.loomtracer.jfr.raw.RawTraceException;
import dev.loomtracer.parse.TraceFormatException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code jfr-import TRACE RECORDING.jfr [-o OUT.trace]}: merges a JFR recording's CPU samples and
 * GC pauses into a trace of the same run (written with the JFR bridge or JfrImport, whose clock
 * log lines the clocks up).
 *
 * <p>Invariant: exit 0 and a one-line summary when OUT was written and validated; exit 1 for an
 * invalid trace or recording, or one without a usable clock log (one line naming the input, where
 * and why; never a stack trace); exit 2 for usage errors and unreadable files. OUT appears only
 * complete (written to a temporary file, validated, then moved); the input trace is never
 * modified unless it is OUT.
 */
public final class ImportJfr {
    private ImportJfr() {}

    static final String USAGE = "usage: jfr-import TRACE RECORDING.jfr [-o OUT.trace]   (default OUT: TRACE-with-jfr.trace)";

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path trace = null;
        Path jfr = null;
        Path o = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                out.println(USAGE);
                return 0;
            } else if (a.equals("-o")) {
                if (++i >= args.length) {
                    err.println(USAGE);
                    return 2;
                }
                o = Path.of(args[i]);
            } else if (a.startsWith("-")) {
                err.println("jfr-import: unknown option " + a + "\n" + USAGE);
                return 2;
            } else if (trace == null) {
                trace = Path.of(a);
            } else if (jfr == null) {
                jfr = Path.of(a);
            } else {
                err.println(USAGE);
                return 2;
            }
        }
        if (trace == null || jfr == null) {
            err.println(USAGE);
            return 2;
        }
        for (Path p : new Path[] {trace, jfr}) {
            if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                err.println("jfr-import: cannot read " + p + ": no such readable file");
                return 2;
            }
        }
        if (o == null) {
            String n = trace.getFileName().toString();
            int dot = n.lastIndexOf('.');
            o = trace.resolveSibling((dot > 0 ? n.substring(0, dot) : n) + "-with-jfr.trace");
        }
        Path parent = o.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            err.println("jfr-import: cannot write " + o + ": no such directory");
            return 2;
        }
        try {
            JfrMerger.Result r = JfrMerger.merge(trace, jfr, o);
            out.printf("%s: %d CPU samples (%d on a known carrier, %d outside the trace dropped), %d GCs, %d pauses"
                            + " (%d clipped at generation boundaries%s); clock: %s; %d events, valid%n",
                    o, r.samples(), r.samplesOnCarrier(), r.samplesDropped(), r.collections(), r.pauses(), r.clipped(),
                    r.gcSkipped() > 0 ? ", " + r.gcSkipped() + " GC items skipped: the trace has GC events of its own" : "",
                    r.clock(), r.events());
            return 0;
        } catch (TraceFormatException | RawTraceException | ClockLog.Malformed e) {
            err.println(trace + ": " + e.getMessage());
            return 1;
        } catch (RecordingFormatException e) {
            err.println(e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("jfr-import: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            // Not expected (the fuzz test looks for these): still one line, naming both inputs.
            err.println("jfr-import: merging " + jfr + " into " + trace + " failed: " + e.getMessage());
            return 1;
        }
    }
}
