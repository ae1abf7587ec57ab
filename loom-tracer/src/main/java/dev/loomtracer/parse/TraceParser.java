package dev.loomtracer.parse;

import dev.loomtracer.format.BatchLayout;
import dev.loomtracer.format.EventType;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a Go execution trace ("go 1.22" or "go 1.23") and returns its events one at a time,
 * validated and in the order Go's parser returns them (a port of Go 1.23's
 * {@code internal/trace.Reader}): for each generation, the per-M event streams are merged by
 * timestamp, and an event is taken from the earliest M whose next event the scheduler state
 * machines ({@link Ordering}) accept; CPU samples are merged in by time; a {@link TraceEvent#SYNC}
 * event ends each generation.
 *
 * <pre>{@code
 * try (TraceParser p = TraceParser.open(path)) {
 *     for (TraceEvent e; (e = p.next()) != null; ) { ... }
 * }
 * }</pre>
 *
 * <p>Invariant: memory is bounded by one generation; every event returned is valid in the order
 * returned; the first invalid or truncated spot ends the stream with a {@link TraceFormatException}
 * naming its byte offset and generation, after every complete generation before it has been
 * returned.
 */
public final class TraceParser implements AutoCloseable {
    private final InputStream stream;
    private final TraceInput in;
    private final String version;
    private final GenerationReader generations;
    private final Ordering order = new Ordering();
    private final Frontier frontier = new Frontier();
    /** Steps spent in this generation on other Ms because the earliest event could not be ordered yet (sorts and tries). */
    private long orderingWork;
    private Generation gen;
    private List<CpuSample> cpuSamples = List.of();
    private int cpuIdx;
    private boolean emittedSync = true; // no Sync before the first generation
    private long lastTs;
    private boolean failed;
    private boolean reuse;
    private TraceEvent returned; // the event returned last, refilled later when events are reused (hasReturned)
    private boolean hasReturned;

    private TraceParser(InputStream stream) throws IOException {
        this.stream = stream;
        this.in = new TraceInput(stream);
        byte[] header = new byte[BatchLayout.FILE_HEADER_LENGTH];
        int n = in.readFully(header, 0, header.length);
        if (n < header.length && BatchLayout.isFileHeaderPrefix(header, n)) {
            throw TraceFormatException.truncated(0, n, "the 16-byte header is cut short");
        }
        String known = n == header.length ? BatchLayout.version(header) : null;
        if (known != null) {
            version = known;
        } else if (n == header.length && header[0] == 'g' && header[1] == 'o' && header[2] == ' ') {
            String text = new String(header, StandardCharsets.US_ASCII).replace("\0", "").trim();
            throw TraceFormatException.invalid(0, 0, "unsupported trace version \"" + text
                    + "\" (this parser reads go 1.22 and go 1.23)");
        } else {
            throw TraceFormatException.invalid(0, 0, "bad file format: not a Go execution trace");
        }
        this.generations = new GenerationReader(in);
    }

    /** Starts reading a trace; checks the header. The parser closes {@code in} on {@link #close()}. */
    public static TraceParser open(InputStream in) throws IOException {
        return new TraceParser(in);
    }

    /** Opens a trace file. */
    public static TraceParser open(Path file) throws IOException {
        InputStream s = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            return new TraceParser(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** "go 1.23" or "go 1.22", from the header. */
    public String version() {
        return version;
    }

    /**
     * For a stream parsed in pieces (the live JFR bridge parses each generation alone): this
     * parser's times continue those of the parse before it, whose {@link #lastTime()} was
     * {@code last}, exactly as one parse of the whole stream makes them (every time strictly above
     * the one before, a Sync's included). Call before the first {@link #next()}.
     */
    public TraceParser continueAfter(long last) {
        lastTs = Math.max(lastTs, last);
        return this;
    }

    /**
     * From now on, an event returned by {@link #next()} is valid only until the next call: the
     * parser refills it then (what it names, its strings and stacks, stays valid). For a consumer
     * that reads each event once, as the analysis does: it saves an event and its arrays per event
     * (docs/PERFORMANCE.md, "Analysis throughput"). Call before the first {@link #next()}.
     */
    public TraceParser reuseEvents() {
        reuse = true;
        order.reuseEvents();
        return this;
    }

    /** The time of the event returned last (a Sync's included); before the first, 0 or {@link #continueAfter}'s. */
    public long lastTime() {
        return lastTs;
    }

    /** Bytes consumed so far (the whole trace once {@link #next()} has returned null). */
    public long bytesRead() {
        return in.offset();
    }

    /** The generation of the event returned last (null before the first). */
    public Generation generation() {
        return gen;
    }

    /** The next event, or null at the end of a valid trace. */
    public TraceEvent next() throws IOException {
        if (failed) {
            throw new IllegalStateException("the trace is invalid; the parser cannot go on");
        }
        if (hasReturned) {
            order.release(returned);
            hasReturned = false;
        }
        try {
            TraceEvent e = nextUnchecked();
            if (e == null) {
                return null;
            }
            if (reuse) {
                if (returned != e) { // (mostly the same pooled object: see TraceEvent.refill)
                    returned = e;
                }
                hasReturned = true;
            }
            if (!e.isSync()) {
                resolve(e);
            }
            if (e.time <= lastTs) {
                e.time = lastTs + 1;
            }
            lastTs = e.time;
            return e;
        } catch (TraceFormatException e) {
            failed = true;
            TraceFormatException cut = generations.cutAfterLast();
            if (cut != null && !e.truncated() && gen != null && e.generation() == gen.number) {
                // The generation right before a cut failed: the cut is the likely cause.
                throw TraceFormatException.truncated(gen.number, cut.offset(), cut.detail
                        + ", so generation " + gen.number + " may be incomplete: " + e.getMessage());
            }
            throw e;
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    private TraceEvent nextUnchecked() throws IOException {
        TraceEvent queued = order.next();
        if (queued != null) {
            return queued;
        }
        if (frontier.isEmpty() && cpuIdx >= cpuSamples.size()) {
            if (!emittedSync) {
                emittedSync = true;
                return new TraceEvent(TraceEvent.SYNC, lastTs, TraceEvent.NONE, TraceEvent.NONE,
                        TraceEvent.NONE, null, gen.number, -1);
            }
            Generation g = generations.next();
            if (g == null) {
                return null;
            }
            gen = g;
            orderingWork = 0;
            cpuSamples = g.cpuSamples;
            cpuIdx = 0;
            for (var e : g.batches.entrySet()) {
                BatchCursor bc = new BatchCursor(e.getKey());
                if (bc.next(e.getValue(), g)) {
                    frontier.insert(bc);
                }
            }
            emittedSync = false;
        }
        if (cpuIdx < cpuSamples.size()) {
            CpuSample s = cpuSamples.get(cpuIdx);
            if (frontier.isEmpty() || s.time() < frontier.get(0).ev.time) {
                cpuIdx++;
                return new TraceEvent(EventType.CPU_SAMPLE, s.time(), s.m(), s.p(), s.g(),
                        new long[] {s.stack()}, gen.number, s.offset());
            }
        }
        if (frontier.isEmpty()) {
            throw TraceFormatException.invalid(gen.number, -1, "broken trace: frontier is empty"
                    + order.dump());
        }
        if (!tryAdvance(0)) {
            orderingWork += frontier.size(); // the sort below
            frontier.sortByTime();
            boolean success = false;
            for (int i = 1; i < frontier.size(); i++) {
                if (++orderingWork > Generation.ORDERING_WORK_BASE + Generation.ORDERING_WORK_PER_BYTE * gen.size()) {
                    throw TraceFormatException.invalid(gen.number, frontier.get(0).ev.offset, "generation " + gen.number
                            + " of " + gen.batches.size() + " Ms needs more than " + (orderingWork - 1)
                            + " steps to put its events in order (events far out of time order across many Ms);"
                            + " the validator stops at 10,000,000 plus 64 per byte of the generation (docs/FORMAT.md, \"Limits\")");
                }
                if (tryAdvance(i)) {
                    success = true;
                    break;
                }
            }
            if (!success) {
                BatchCursor head = frontier.get(0);
                throw TraceFormatException.invalid(gen.number, head.ev.offset,
                        "broken trace: no M can advance (a sequence number, status event or ordering is wrong);"
                                + " next event of each M:" + frontier.dump() + "\n  state:" + order.dump());
            }
        }
        TraceEvent e = order.next();
        if (e == null) {
            throw new IllegalStateException("advance succeeded but queued no event");
        }
        return e;
    }

    private boolean tryAdvance(int i) throws TraceFormatException {
        BatchCursor bc = frontier.get(i);
        try {
            if (!order.advance(bc.ev, gen, bc.m)) {
                return false;
            }
        } catch (Ordering.Invalid x) {
            throw TraceFormatException.invalid(gen.number, bc.ev.offset,
                    "M " + bc.m + ", " + EventSpec.name(bc.ev.type) + ": " + x.getMessage());
        }
        if (bc.next(gen.batches.get(bc.m), gen)) {
            frontier.update(i);
        } else {
            frontier.remove(i);
        }
        return true;
    }

    /** Checks the event's string and stack ids against its generation and resolves them (Go's validateTableIDs). */
    private void resolve(TraceEvent e) throws TraceFormatException {
        if (e.type == EventType.CPU_SAMPLE) {
            e.stack = stackOf(e, e.args[0]);
            return;
        }
        int[] stacks = EventSpec.stackArgs(e.type);
        if (stacks.length > 0) {
            ParsedStack s = stackOf(e, e.args[stacks[0]]);
            if (e.stack != s) { // (a reused event: see TraceEvent.refill)
                e.stack = s;
            }
            if (stacks.length > 1) {
                s = stackOf(e, e.args[stacks[1]]);
                if (e.newStack != s) {
                    e.newStack = s;
                }
            }
        }
        int[] strings = EventSpec.stringArgs(e.type);
        if (strings.length > 0) {
            String[] s = e.stringSlots(strings.length);
            for (int i = 0; i < strings.length; i++) {
                String str = gen.string(e.args[strings[i]]);
                if (s[i] != str) {
                    s[i] = str;
                }
                if (str == null) {
                    throw TraceFormatException.invalid(gen.number, e.offset, "M " + e.m + ", " + e.typeName()
                            + ": found invalid string ID " + e.args[strings[i]] + " for event " + e.typeName());
                }
            }
            if (e.strings != s) {
                e.strings = s;
            }
        }
    }

    private ParsedStack stackOf(TraceEvent e, long id) throws TraceFormatException {
        ParsedStack s = gen.stack(id);
        if (s == null) {
            throw TraceFormatException.invalid(gen.number, e.offset, "M " + e.m + ", " + e.typeName()
                    + ": found invalid stack ID " + id + " for event " + e.typeName());
        }
        return s;
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }
}
