package dev.loomtracer.cli;

import dev.loomtracer.parse.TraceFormatException;
import dev.loomtracer.parse.TraceSummary;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code loomtrace validate FILE}: checks a trace with the same rules as Go's parser.
 *
 * <p>Invariant: exit 0 and one summary line on stdout for a valid trace; exit 1 and one message
 * naming the byte offset and generation on stderr for an invalid one; exit 2 for a usage error or
 * a file that cannot be read. Bad input never produces a stack trace.
 */
public final class Validate {
    private Validate() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 1 || args[0].startsWith("-")) {
            err.println("usage: loomtrace validate FILE");
            return 2;
        }
        Path file = Path.of(args[0]);
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            err.println("validate: cannot read " + file + ": no such readable file");
            return 2;
        }
        try {
            TraceSummary s = TraceSummary.of(file);
            out.println(file + ": valid " + s);
            return 0;
        } catch (TraceFormatException e) {
            err.println(file + ": " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("validate: cannot read " + file + ": " + e);
            return 2;
        } catch (RuntimeException e) {
            err.println(file + ": invalid trace (the parser failed: " + e + ")");
            return 1;
        }
    }
}
