package dev.loomtracer.hooks.bench;

import dev.loomtracer.LoomTrace;
import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.TraceParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A trace of one measurement, streamed to a temporary file as a user would. */
final class Tracing {
    private final Path file;
    private final FileChannel ch;
    private TraceResult result;

    private Tracing(Path file, FileChannel ch) {
        this.file = file;
        this.ch = ch;
    }

    static Tracing start(TraceOptions.Stacks stacks) {
        try {
            Path f = Files.createTempFile("loomtrace-overhead", ".trace");
            FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            LoomTrace.start(ch, TraceOptions.defaults().stacks(stacks));
            return new Tracing(f, ch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void stop() {
        result = LoomTrace.stop();
        try {
            ch.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!result.complete()) {
            System.err.println("overhead: trace incomplete: " + result);
        }
    }

    long bytes() {
        return result.bytes();
    }

    /** Events in the trace, by the project's parser (which validates it on the way). */
    long countEvents() {
        long n = 0;
        try (TraceParser p = TraceParser.open(file)) {
            for (TraceEvent e; (e = p.next()) != null; ) {
                if (!e.isSync()) {
                    n++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return n;
    }

    void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // leave it
        }
    }
}
