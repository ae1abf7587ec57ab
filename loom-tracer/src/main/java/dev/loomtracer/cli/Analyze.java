package dev.loomtracer.cli;

import dev.loomtracer.analysis.Analysis;
import dev.loomtracer.analysis.AnalysisJson;
import dev.loomtracer.analysis.AnalysisOptions;
import dev.loomtracer.analysis.AnalysisResult;
import dev.loomtracer.analysis.Collapsed;
import dev.loomtracer.analysis.TextReport;
import dev.loomtracer.parse.TraceFormatException;
import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * {@code loomtrace analyze [--json | --collapsed KIND] [--partial] [--top N] TRACE}: the answers
 * of {@link Analysis} in plain words, as JSON, or as collapsed stacks.
 *
 * <p>Invariant: exit 0 with the result; 1 for an invalid trace (one line naming the byte offset
 * and generation, never a stack trace, nothing on stdout); 2 for a usage error or an unreadable
 * file. Progress goes to stderr only when the console is a terminal.
 */
public final class Analyze {
    private Analyze() {}

    static final String USAGE = "usage: loomtrace analyze [--json | --collapsed blocked|sched|pinned] [--partial] [--top N] TRACE";

    public static void main(String[] args) {
        Console c = System.console();
        System.exit(run(args, System.out, System.err, c != null && c.isTerminal()));
    }

    /** Runs the command; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err, boolean progress) {
        boolean json = false;
        boolean partial = false;
        Collapsed.Kind collapsed = null;
        int top = 10;
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--json" -> json = true;
                case "--partial" -> partial = true;
                case "--collapsed" -> {
                    if (i + 1 >= args.length || (collapsed = Collapsed.Kind.parse(args[++i])) == null) {
                        err.println("analyze: --collapsed needs one of blocked, sched, pinned");
                        err.println(USAGE);
                        return 2;
                    }
                }
                case "--top" -> {
                    try {
                        top = Integer.parseInt(i + 1 < args.length ? args[++i] : "");
                    } catch (NumberFormatException e) {
                        top = 0;
                    }
                    if (top < 1) {
                        err.println("analyze: --top needs a positive number");
                        err.println(USAGE);
                        return 2;
                    }
                }
                case "-h", "--help" -> {
                    out.println(USAGE);
                    out.println("  Answers where threads and tasks spent their time: scheduler latency, blocking, pinning,");
                    out.println("  tasks, carriers, thread groups (docs/ANALYSIS.md). --json writes the whole result,");
                    out.println("  --collapsed writes time by stack for flame-graph tools, --partial analyses the complete");
                    out.println("  generations of a truncated trace.");
                    return 0;
                }
                default -> {
                    if (a.startsWith("-") || file != null) {
                        err.println("analyze: unexpected argument " + a);
                        err.println(USAGE);
                        return 2;
                    }
                    file = Path.of(a);
                }
            }
        }
        if (file == null || (json && collapsed != null)) {
            err.println(file == null ? "analyze: no trace file given" : "analyze: --json and --collapsed exclude each other");
            err.println(USAGE);
            return 2;
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            err.println("analyze: cannot read " + file + ": no such readable file");
            return 2;
        }
        AnalysisOptions options = AnalysisOptions.defaults().topN(top).partial(partial);
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            size = 0;
        }
        if (progress) {
            options = options.progress(progressLine(err, size));
        }
        AnalysisResult r;
        try {
            r = Analysis.of(file, options);
        } catch (TraceFormatException e) {
            endProgress(err, progress);
            err.println(file + ": " + e.getMessage());
            if (e.truncated() && !partial) {
                err.println("analyze: --partial analyses the complete generations before the cut");
            }
            return 1;
        } catch (IOException e) {
            endProgress(err, progress);
            err.println("analyze: cannot read " + file + ": " + e);
            return 2;
        } catch (RuntimeException e) {
            endProgress(err, progress);
            err.println(file + ": invalid trace (the parser failed: " + e + ")");
            return 1;
        }
        endProgress(err, progress);
        if (json) {
            AnalysisJson.write(r, out);
        } else if (collapsed != null) {
            if (Collapsed.rows(r, collapsed).isEmpty()) {
                err.println("analyze: " + file + " has no stacks for " + collapsed.name().toLowerCase(Locale.ROOT)
                        + " time (trace with stacks on block: docs/CAPTURE.md)");
            }
            out.print(Collapsed.of(r, collapsed));
        } else {
            out.print(TextReport.of(r));
        }
        if (r.trace().cut() != null) {
            err.println("analyze: partial: " + r.trace().cut());
        }
        out.flush();
        return 0;
    }

    private static LongConsumer progressLine(PrintStream err, long size) {
        return bytes -> err.printf(Locale.ROOT, "\ranalyze: %d MB of %d MB (%d %%)", bytes >> 20, size >> 20,
                size == 0 ? 100 : Math.min(100, bytes * 100 / size));
    }

    private static void endProgress(PrintStream err, boolean progress) {
        if (progress) {
            err.print("\r\033[K");
            err.flush();
        }
    }
}
