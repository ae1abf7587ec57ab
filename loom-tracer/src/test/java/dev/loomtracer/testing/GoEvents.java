package dev.loomtracer.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go's parsed events of a trace with their stacks, read from {@code go tool trace -d=1}: each event
 * is its "M=..." line ({@code Event.String()} of Go's {@code internal/trace/event.go}) followed by
 * an optional {@code TransitionStack=} (a creation's new stack) and {@code Stack=} (the event's),
 * each frame printed as {@code "\tFUNC @ 0xPC"} then {@code "\t\tFILE:LINE"}.
 *
 * <p>Invariant: only Go's reading; nothing here consults the project's parser. Reading fails the
 * test if Go rejects the trace ({@link GoJudge#assertValid}).
 */
public final class GoEvents {
    private GoEvents() {}

    /** A frame as Go's parser reports it. */
    public record Frame(String function, long pc, String file, int line) {
        /** The frame without its PC: what a reader of the stack sees. */
        public String where() {
            return function + " " + file + ":" + line;
        }
    }

    /** One of Go's events: its line, the event's stack and (for a creation) the new goroutine's. */
    public record Event(String line, List<Frame> stack, List<Frame> transitionStack) {
        private static final Pattern GO_TRANSITION = Pattern.compile(
                " Resource=Goroutine\\((-?\\d+)\\) Reason=\"((?:[^\"\\\\]|\\\\.)*)\" GoID=-?\\d+ (\\w+)->(\\w+)");

        /** The goroutine a goroutine state transition is about, or null for any other event. */
        public Long transitionG() {
            Matcher m = GO_TRANSITION.matcher(line);
            return m.find() ? Long.parseLong(m.group(1)) : null;
        }

        /** "From->To" of a goroutine state transition, or null. */
        public String goTransition() {
            Matcher m = GO_TRANSITION.matcher(line);
            return m.find() ? m.group(3) + "->" + m.group(4) : null;
        }

        /** The reason of a goroutine state transition, or null. */
        public String reason() {
            Matcher m = GO_TRANSITION.matcher(line);
            return m.find() ? GoJudge.unquote(m.group(2)) : null;
        }

        /** The event's time in ns, as Go's parser computed it. */
        public long time() {
            Matcher m = TIME.matcher(line);
            if (!m.find()) {
                throw new AssertionError("no Time= in Go's line: " + line);
            }
            return Long.parseLong(m.group(1));
        }

        /** The event's kind (Go's {@code EventKind.String()}). */
        public String kind() {
            return line.split(" ", 5)[3];
        }
    }

    private static final Pattern TIME = Pattern.compile(" Time=(-?\\d+)");
    private static final Pattern FRAME = Pattern.compile("^\t(.*) @ 0x([0-9a-f]+)$");
    private static final Pattern WHERE = Pattern.compile("^\t\t(.*):(\\d+)$");

    /** Every event Go's parser reports for {@code trace}, in Go's order. Fails if Go rejects it. */
    public static List<Event> read(Path trace) {
        GoJudge.Verdict v = GoJudge.assertValid(trace);
        List<Event> events = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(v.stdout(), StandardCharsets.UTF_8)) {
            String header = null;
            List<Frame> stack = List.of();
            List<Frame> transition = List.of();
            List<Frame> filling = null;
            String pending = null;
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("M=")) {
                    if (header != null) {
                        events.add(new Event(header, stack, transition));
                    }
                    header = line;
                    stack = List.of();
                    transition = List.of();
                    filling = null;
                } else if (line.equals("Stack=")) {
                    filling = stack = new ArrayList<>();
                } else if (line.equals("TransitionStack=")) {
                    filling = transition = new ArrayList<>();
                } else if (filling != null) {
                    Matcher f = FRAME.matcher(line);
                    Matcher w = WHERE.matcher(line);
                    if (f.matches()) {
                        pending = line;
                    } else if (w.matches() && pending != null) {
                        Matcher pf = FRAME.matcher(pending);
                        if (!pf.matches()) {
                            throw new AssertionError("unexpected frame line from Go: " + pending);
                        }
                        filling.add(new Frame(pf.group(1), Long.parseUnsignedLong(pf.group(2), 16), w.group(1),
                                Integer.parseInt(w.group(2))));
                        pending = null;
                    } else if (!line.isEmpty()) {
                        throw new AssertionError("unexpected line in a stack from Go: " + line);
                    }
                }
            }
            if (header != null) {
                events.add(new Event(header, stack, transition));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return events;
    }

    /**
     * The PCs that name more than one frame anywhere in the trace, each with the frames it names
     * (empty when every PC means one frame, as {@code go tool trace}'s profiles assume).
     */
    public static Map<Long, List<String>> pcsWithSeveralFrames(List<Event> events) {
        Map<Long, List<String>> byPc = new LinkedHashMap<>();
        for (Event e : events) {
            for (List<Frame> s : List.of(e.stack(), e.transitionStack())) {
                for (Frame f : s) {
                    List<String> seen = byPc.computeIfAbsent(f.pc(), k -> new ArrayList<>());
                    if (!seen.contains(f.where())) {
                        seen.add(f.where());
                    }
                }
            }
        }
        byPc.values().removeIf(l -> l.size() < 2);
        return byPc;
    }

    /** How many frames (with PCs) the trace's stacks hold in all, for a test to show it checked some. */
    public static long frameCount(List<Event> events) {
        return events.stream().mapToLong(e -> e.stack().size() + e.transitionStack().size()).sum();
    }
}
