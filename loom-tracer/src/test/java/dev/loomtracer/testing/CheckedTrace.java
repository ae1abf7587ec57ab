package dev.loomtracer.testing;

import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.TraceParser;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A trace a test wrote, checked by both judges: the project's validator (every event, in Go's
 * order) and Go's own parser ({@link GoJudge}). Construction fails the test if either rejects it.
 */
public final class CheckedTrace {
    public final Path file;
    public final List<TraceEvent> events;

    private CheckedTrace(Path file, List<TraceEvent> events) {
        this.file = file;
        this.events = events;
    }

    public static CheckedTrace of(Path file) throws IOException {
        List<TraceEvent> events = new ArrayList<>();
        try (TraceParser p = TraceParser.open(file)) {
            for (TraceEvent e; (e = p.next()) != null; ) {
                events.add(e);
            }
        }
        GoJudge.assertValid(file);
        return new CheckedTrace(file, events);
    }

    public long count(Predicate<TraceEvent> p) {
        return events.stream().filter(p).count();
    }

    public long count(String typeName) {
        return count(e -> e.typeName().equals(typeName));
    }

    public long generations() {
        return count(TraceEvent::isSync);
    }
}
