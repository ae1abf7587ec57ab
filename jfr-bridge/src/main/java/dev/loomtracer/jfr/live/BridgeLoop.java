package dev.loomtracer.jfr.live;

import dev.loomtracer.format.BatchLayout;
import dev.loomtracer.jfr.events.ClockSyncEvent;
import dev.loomtracer.jfr.model.Episode;
import dev.loomtracer.jfr.model.ModelEpisodes;
import dev.loomtracer.jfr.raw.RawGeneration;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.TraceFormatException;
import dev.loomtracer.parse.TraceParser;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live bridge's committer loop, on the bridge's own thread: takes each generation from the
 * {@link GenerationInbox}, and only if some Loom Tracer event type is enabled in a running
 * recording parses it, turns its events into episodes ({@link ModelEpisodes}), aligns their
 * times ({@link ClockAlignment}) and commits them ({@link LiveCommitter}).
 *
 * <p>Invariants: it never takes the trace lock and never writes into the trace (it reads bytes);
 * a generation is committed at most once; when no recording enables the types, a generation
 * costs one enabled-check per type and no parsing; after a generation was skipped or dropped,
 * what it knew of each thread is forgotten.
 */
final class BridgeLoop implements Runnable {
    private final GenerationInbox inbox;
    private final JfrTime time = new JfrTime();
    private final LiveCommitter committer = new LiveCommitter(time);
    private final ClockAlignment clock = new ClockAlignment(this::clockKnown);
    private final List<Episode> current = new ArrayList<>();
    private final ModelEpisodes builder = new ModelEpisodes(current::add);
    /** The last time of the previous generation's parse: the next one continues it. */
    private long lastParsed;

    final AtomicLong committedGenerations = new AtomicLong();
    final AtomicLong skipped = new AtomicLong();
    final AtomicLong invalid = new AtomicLong();
    private volatile String lastError;
    private boolean gapBeforeNext;

    BridgeLoop(GenerationInbox inbox) {
        this.inbox = inbox;
    }

    @Override
    public void run() {
        // Load and register the event classes before the first generation arrives.
        LiveCommitter.anyBridgedTypeEnabled();
        new ClockSyncEvent().isEnabled();
        try {
            for (;;) {
                Object o = inbox.take();
                if (o == GenerationInbox.END) {
                    finish();
                    return;
                }
                RawGeneration g = (RawGeneration) o;
                try {
                    process(g);
                } finally {
                    inbox.processed(g);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            System.getLogger("dev.loomtracer.jfr").log(System.Logger.Level.ERROR,
                    "Loom Tracer JFR bridge failed; bridging stops", e);
            inbox.abandon();
        }
    }

    private void process(RawGeneration g) {
        if (!committer.refreshEnabled()) {
            skipped.incrementAndGet();
            gapBeforeNext = true;
            return;
        }
        if (inbox.takeGap() | gapBeforeNext) {
            // Generations were skipped or dropped: what we knew of each thread may be stale.
            gapBeforeNext = false;
            builder.reset();
        }
        if (!time.calibrated() || inbox.received() % 8 == 0) {
            time.calibrate(new ClockSyncEvent());
        }
        current.clear();
        try (TraceParser p = TraceParser.open(new SequenceInputStream(new ByteArrayInputStream(BatchLayout.FILE_HEADER),
                new ByteArrayInputStream(g.toBytes())))) {
            // Times as one parse of the whole stream makes them, so live and converted recordings agree.
            p.continueAfter(lastParsed);
            for (TraceEvent e; (e = p.next()) != null; ) {
                lastParsed = p.lastTime();
                builder.accept(e);
            }
        } catch (TraceFormatException e) {
            invalid.incrementAndGet();
            lastError = "generation " + g.number() + ": " + e.getMessage();
            builder.reset();
            current.clear();
            return;
        } catch (IOException e) {
            invalid.incrementAndGet();
            return;
        }
        List<Episode> episodes = new ArrayList<>(current);
        current.clear();
        commitAll(clock.add(episodes, builder.lastTime()));
        if (clock.known()) {
            committedGenerations.incrementAndGet();
        }
    }

    /** The input ended: ends what is open and commits everything left. */
    private void finish() {
        if (committer.refreshEnabled()) {
            builder.finish(builder.lastTime());
            List<Episode> last = new ArrayList<>(current);
            current.clear();
            List<Episode> left = clock.drain(last, builder.lastTime());
            if (!left.isEmpty() && !time.calibrated()) {
                time.calibrate(new ClockSyncEvent());
            }
            commitAll(left);
        }
    }

    private void commitAll(List<Episode> episodes) {
        for (Episode e : episodes) {
            committer.commit(e);
        }
    }

    /**
     * The trace clock's base is known: the committer maps trace times with it, and one ClockSync
     * event ties this moment's {@code System.nanoTime()} to its trace time in the recording.
     */
    private void clockKnown(long nanoTimeAtTraceZero) {
        committer.setTraceClock(nanoTimeAtTraceZero);
        ClockSyncEvent e = new ClockSyncEvent();
        e.nanoTime = System.nanoTime();
        e.traceNanos = e.nanoTime - nanoTimeAtTraceZero;
        e.commit();
    }

    java.util.Map<String, Long> committed() {
        return java.util.Map.copyOf(committer.committed);
    }

    String clockSource() {
        return clock.source();
    }

    String lastError() {
        return lastError;
    }
}
