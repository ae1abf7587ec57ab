package dev.loomtracer.cli;

import dev.loomtracer.parse.TraceFormatException;
import dev.loomtracer.parse.TraceParser;
import dev.loomtracer.parse.TraceSummary;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code loomtrace summary FILE}: prints the summary table of a trace (events per type, block and
 * stop reasons, goroutines, procs, threads).
 *
 * <p>Invariant: the exit status means what {@link Validate}'s does; for an invalid trace the
 * table of everything before the error is printed, then the error.
 */
public final class Summary {
    private Summary() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 1 || args[0].startsWith("-")) {
            err.println("usage: loomtrace summary FILE");
            return 2;
        }
        Path file = Path.of(args[0]);
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            err.println("summary: cannot read " + file + ": no such readable file");
            return 2;
        }
        TraceSummary s = new TraceSummary();
        try (TraceParser p = TraceParser.open(file)) {
            try {
                s.readAll(p);
            } finally {
                out.print(s.table());
            }
            return 0;
        } catch (TraceFormatException e) {
            err.println(file + ": " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("summary: cannot read " + file + ": " + e);
            return 2;
        } catch (RuntimeException e) {
            err.println(file + ": invalid trace (the parser failed: " + e + ")");
            return 1;
        }
    }
}
