package dev.loomtracer.engine;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import dev.loomtracer.format.Status;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Everything that lives for one trace, from start to stop: the known Gs and Ms, the two
 * generations' string and stack tables, the frames' PCs, and the loss counters.
 *
 * <p>Invariant: a session's state is touched only by writers that acquired a generation of this
 * session (their M belongs to it) and by the advancer; a new session starts only after the old
 * one's last generation is flushed, so no state crosses sessions.
 */
final class TraceSession {
    private static final AtomicLong SESSIONS = new AtomicLong();

    final Tracer tracer;
    final TraceOptions config;
    /**
     * The stack mode's sampling rates ({@link StackSampling#blockOneIn}, {@link StackSampling#sideOneIn}),
     * read once: the decision every block and annotation asks for is then one field and a random draw.
     */
    final int blockStackOneIn;
    final int sideStackOneIn;
    /** Which session of this JVM this is (1, 2, ...): never 0, never reused. */
    final long number = SESSIONS.incrementAndGet();
    /** The first generation of this session; Gs first seen in it get a status, later ones a creation. */
    final long firstGen = 1;
    final ConcurrentHashMap<Thread, GState> gs = new ConcurrentHashMap<>();
    final CopyOnWriteArrayList<MState> ms = new CopyOnWriteArrayList<>();
    /** Charged to the tracer's pool of this session: create the session after the pool. */
    final StringTable[] strings;
    final StackTable[] stacks;
    /** Each frame's PC for the whole trace, across generations and flight-recorder snapshots. */
    final FramePcs pcs = new FramePcs();
    private final AtomicLong nextPid = new AtomicLong();
    /**
     * The size of each generation (by parity) so far, for the size threshold: the bytes of its
     * writers' flushed buffers, and about the bytes its new string and stack table entries will
     * take once written ({@link #addTableBytes}).
     */
    final AtomicLong[] genBytes = {new AtomicLong(), new AtomicLong()};
    /** The budget a generation's tables may hold before it ends: a quarter of bufferMemory. */
    final long tableLimit;
    /** Events dropped because the memory limit was reached. */
    final LongAdder lostEvents = new LongAdder();
    /** Events dropped because a hook re-entered the tracer on the same M (counted, never written). */
    final LongAdder nestedEvents = new LongAdder();
    /** Events dropped because the trace could not tell them consistently (a capture bug). */
    final LongAdder inconsistentEvents = new LongAdder();
    /** The earliest generation that lost an event, or 0 ({@link #recordLoss}). */
    final AtomicLong lossGen = new AtomicLong();
    /** Bytes of trace handed to the reader (chunks of readTrace / readChunk). */
    final AtomicLong bytesRead = new AtomicLong();

    final long startNanos = System.nanoTime();
    /** Why the trace ended by itself before stop (null while it runs or if stop ended it), and when. */
    volatile String endReason;
    volatile long endNanos;
    volatile long endEpochMillis;
    /** Writes (acquire/release brackets, about one event each) of the whole session when it ended by itself. */
    volatile long writesAtEnd;

    /** The P of the advancer's reaper M, which ends Gs whose threads died untold. */
    final ProcState reaperProc;

    /**
     * The clock anchor (ClockAnchor) of the current generation, read by the advancer before it
     * publishes the generation, and the last generation a writer wrote one in: one per generation.
     */
    volatile String clockAnchor;
    private final AtomicLong clockGen = new AtomicLong();

    TraceSession(Tracer tracer, TraceOptions config) {
        this.tracer = tracer;
        this.config = config;
        this.blockStackOneIn = StackSampling.blockOneIn(config.stacks());
        this.sideStackOneIn = StackSampling.sideOneIn(config.stacks());
        BufferPool budget = tracer.pool;
        this.strings = new StringTable[] {new StringTable(budget, n -> addTableBytes(0, n)),
            new StringTable(budget, n -> addTableBytes(1, n))};
        this.stacks = new StackTable[] {new StackTable(budget, n -> addTableBytes(0, n)),
            new StackTable(budget, n -> addTableBytes(1, n))};
        this.tableLimit = config.bufferMemory() / 4;
        this.reaperProc = new ProcState(newPid(), Status.PROC_IDLE);
        readClocks();
    }

    /**
     * Reads the wall clock and the trace clock at one instant, for the next generation's anchor.
     * Off the hot path (the advancer, the start): the message is built here, so a writer only interns it.
     */
    void readClocks() {
        long nano = System.nanoTime();
        java.time.Instant wall = java.time.Instant.now();
        long epochNanos = wall.getEpochSecond() * 1_000_000_000L + wall.getNano();
        clockAnchor = dev.loomtracer.format.ClockAnchor.message(nano, epochNanos,
                TraceClock.toNanos(TraceClock.ticksAt(nano)));
    }

    /** True for exactly one caller per generation {@code gen}: the writer that writes its clock anchor. */
    boolean claimClock(long gen) {
        long told = clockGen.get();
        return told < gen && clockGen.compareAndSet(told, gen);
    }

    long newPid() {
        return nextPid.getAndIncrement();
    }

    /** This thread's M in this session, created on first use; its P enters the trace when first needed. */
    MState newM(Thread t) {
        MState m = new MState(t, this, newPid(), ProcState.UNTOLD);
        ms.add(m);
        return m;
    }

    /** The trace ended by itself (the advancer wrote its last generation): remember why and when. */
    void endedByItself(String reason) {
        long w = 0;
        for (MState m : ms) {
            w += m.seqlockValue() >>> 1; // +2 per write
        }
        writesAtEnd = w;
        endNanos = System.nanoTime();
        endEpochMillis = System.currentTimeMillis();
        endReason = reason;
    }

    /**
     * Events the application made after the trace ended by itself, estimated at the session's
     * average rate of writes before the end (nothing counts them: tracing is off by then).
     */
    long unrecordedEstimate(long nowNanos) {
        if (endReason == null) {
            return 0;
        }
        double before = Math.max(1, endNanos - startNanos);
        return Math.round(writesAtEnd / before * Math.max(0, nowNanos - endNanos));
    }

    /** The session's counts so far, {@code flushedGen} generations written, as the public API reports them. */
    TraceResult result(long flushedGen) {
        String reason = endReason;
        return new TraceResult(bytesRead.get(), flushedGen, lostEvents.sum(), inconsistentEvents.sum(), nestedEvents.sum(),
                reason, reason == null ? null : java.time.Instant.ofEpochMilli(endEpochMillis),
                unrecordedEstimate(System.nanoTime()), pcs.unremembered());
    }

    void recordLoss(long gen) {
        lostEvents.increment();
        // The earliest generation that lost, not the first to say so: a writer still in
        // generation g (the advancer waits for it) can lose after one already in g + 1 did, and
        // g, kept, would hold its event with the lost string's id 0 (LossTest, run with short generations, saw an empty log message).
        long first;
        while (((first = lossGen.get()) == 0 || gen < first) && !lossGen.compareAndSet(first, gen)) {
            Thread.onSpinWait();
        }
        tracer.wakeAdvancer();
    }

    void addFlushedBytes(long gen, int bytes) {
        if (genBytes[(int) (gen & 1)].addAndGet(bytes) > config.generationBytes()) {
            tracer.wakeAdvancer();
        }
    }

    /**
     * A new string or stack in the tables of the generation of parity {@code slot}, of about
     * {@code bytes} once written: past {@link #dueBySize} the advancer is woken to end it. A
     * program that logs many distinct strings (or blocks at many distinct stacks) fills its
     * tables long before its events fill a buffer; counting only events, its generation never
     * ended by size, and its tables took the whole buffer memory and ended the trace with a loss.
     */
    void addTableBytes(int slot, long bytes) {
        genBytes[slot].addAndGet(bytes);
        if (dueBySize(slot)) {
            tracer.wakeAdvancer();
        }
    }

    /**
     * True when the generation of parity {@code slot} should end by size: {@code generationBytes}
     * written (its events and about its tables), or its tables holding a quarter of the buffer
     * memory. Tables hold more in memory than they write (a string's characters at 2 bytes and
     * its objects; a stack's frames at ~200 bytes in memory against ~9 written): written size
     * alone let a generation of distinct stacks take the whole budget before it ended.
     */
    boolean dueBySize(int slot) {
        return genBytes[slot].get() > config.generationBytes()
                || strings[slot].charged() + stacks[slot].charged() > tableLimit;
    }
}
