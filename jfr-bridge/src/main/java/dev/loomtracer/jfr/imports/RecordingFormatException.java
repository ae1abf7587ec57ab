package dev.loomtracer.jfr.imports;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A JFR recording the importer cannot read: the message names the file, the position (the
 * number of events read before the problem) and the reason, in words, without the exception's
 * class or stack.
 */
public final class RecordingFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    RecordingFormatException(Path file, long eventsRead, Throwable cause) {
        super(file + ": not a readable JFR recording (after " + eventsRead + " events): " + reason(cause), cause);
    }

    private static String reason(Throwable t) {
        if (t instanceof OutOfMemoryError) {
            return "a size field claims more memory than there is (damaged data)";
        }
        if (t instanceof StackOverflowError) {
            return "nesting too deep (damaged data)";
        }
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return "damaged data (" + words(t.getClass().getSimpleName()) + ")";
        }
        return m.strip();
    }

    /** "IndexOutOfBoundsException" as "index out of bounds". */
    private static String words(String className) {
        String s = className.replaceAll("(Exception|Error)$", "");
        return s.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT);
    }
}
