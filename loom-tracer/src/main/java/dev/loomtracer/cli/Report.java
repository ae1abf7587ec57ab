package dev.loomtracer.cli;

import dev.loomtracer.parse.TraceFormatException;
import dev.loomtracer.report.HtmlReport;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * {@code loomtrace report TRACE -o FILE [--partial]}: writes the HTML report of a trace
 * ({@link HtmlReport}), one self-contained file to open in any browser.
 *
 * <p>Invariant: FILE is written only when the whole report is ready, through a temporary file
 * moved into place, so an invalid trace (exit 1, with the byte offset and generation of the
 * problem) or a failure leaves no file and no half-written one behind; usage errors exit 2.
 */
public final class Report {
    private Report() {}

    static final String USAGE = "usage: loomtrace report TRACE -o FILE.html [--partial]";

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path trace = null;
        Path html = null;
        boolean partial = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-o" -> {
                    if (i + 1 >= args.length) {
                        err.println("report: -o needs a file name\n" + USAGE);
                        return 2;
                    }
                    html = Path.of(args[++i]);
                }
                case "--partial" -> partial = true;
                case "-h", "--help" -> {
                    out.println(USAGE);
                    out.println("  Writes one self-contained HTML file (no network needed to view it): the analysis of the");
                    out.println("  trace (loomtrace analyze) as charts, flame graphs and a timeline.");
                    out.println("  --partial  report the complete generations of a truncated trace, and say so at the top");
                    return 0;
                }
                default -> {
                    if (args[i].startsWith("-") || trace != null) {
                        err.println("report: unexpected argument " + args[i] + "\n" + USAGE);
                        return 2;
                    }
                    trace = Path.of(args[i]);
                }
            }
        }
        if (trace == null || html == null) {
            err.println("report: " + (trace == null ? "no trace file given" : "no output file given (-o FILE.html)") + "\n" + USAGE);
            return 2;
        }
        if (!Files.isRegularFile(trace) || !Files.isReadable(trace)) {
            err.println("report: cannot read " + trace + ": no such readable file");
            return 2;
        }
        byte[] page;
        try {
            page = HtmlReport.render(trace, HtmlReport.Options.named(trace.getFileName().toString()).partial(partial));
        } catch (TraceFormatException e) {
            err.println(trace + ": " + e.getMessage() + (e.truncated() && !partial
                    ? "\n(the trace is truncated: --partial reports its complete generations)" : ""));
            err.println("report: no report written");
            return 1;
        } catch (IOException e) {
            err.println("report: cannot read " + trace + ": " + e);
            return 1;
        } catch (RuntimeException e) {
            err.println(trace + ": invalid trace (the analysis failed: " + e + ")");
            err.println("report: no report written");
            return 1;
        }
        try {
            write(html, page);
        } catch (IOException e) {
            err.println("report: cannot write " + html + ": " + e);
            return 1;
        }
        out.printf("wrote %s (%,d bytes): open it in a browser%n", html, page.length);
        return 0;
    }

    /** Writes {@code bytes} to {@code file} through a temporary file beside it, moved into place. */
    static void write(Path file, byte[] bytes) throws IOException {
        Path tmp = file.toAbsolutePath().resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            try (OutputStream o = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                o.write(bytes);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
