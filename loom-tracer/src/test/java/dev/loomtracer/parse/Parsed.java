package dev.loomtracer.parse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test helper: everything the parser returns for a trace, and the error it ended with, if any. */
record Parsed(List<TraceEvent> events, List<Generation> generations, TraceFormatException error) {

    static Parsed of(byte[] trace) {
        List<TraceEvent> events = new ArrayList<>();
        List<Generation> gens = new ArrayList<>();
        try (TraceParser p = TraceParser.open(new ByteArrayInputStream(trace))) {
            for (TraceEvent e; (e = p.next()) != null; ) {
                events.add(e);
                if (gens.isEmpty() || gens.get(gens.size() - 1) != p.generation()) {
                    gens.add(p.generation());
                }
            }
            return new Parsed(events, gens, null);
        } catch (TraceFormatException e) {
            return new Parsed(events, gens, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Parsed of(Path file) {
        try {
            return of(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] read(String resource) {
        try (var in = Parsed.class.getResourceAsStream("/go-traces/" + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource go-traces/" + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The events of generations up to and including {@code lastGen}, as comparable strings. */
    List<String> describe(long lastGen) {
        return events.stream().filter(e -> e.generation() <= lastGen).map(Parsed::describe).toList();
    }

    List<String> describeAll() {
        return events.stream().map(Parsed::describe).toList();
    }

    /** Identity of an event for comparisons: where it is, what it is, when, its context and state change. */
    static String describe(TraceEvent e) {
        return e.generation() + "@" + e.offset() + " " + e.type() + " t=" + e.time() + " " + e.m() + "/" + e.p()
                + "/" + e.g() + " " + e.transition() + " " + e.reason() + " " + e.name() + " " + e.stack().id();
    }

    /** Number of Sync events, i.e. completely returned generations. */
    long syncs() {
        return events.stream().filter(TraceEvent::isSync).count();
    }
}
