package dev.loomtracer.jfr.live;

import dev.loomtracer.jfr.raw.BatchFramer;
import dev.loomtracer.jfr.raw.GenerationCollector;
import dev.loomtracer.jfr.raw.RawGeneration;

import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live bridge's input: frames the trace bytes the reader hands out into whole generations
 * as they pass (on the reader's thread: header parsing and a copy) and queues each for the
 * bridge's thread ({@link BridgeLoop}).
 *
 * <p>Invariant: {@link #write} never blocks on the bridge and never fails the trace's sink: when
 * the queued generations hold more than {@code maxQueuedBytes}, a generation is dropped (counted,
 * and {@link #takeGap} says so once), and a stream it cannot frame ends the bridging with one log
 * line. After {@link #end()} the queue ends with {@link #END}.
 */
final class GenerationInbox {
    /** The last element {@link #take} returns. */
    static final Object END = new Object();

    private final long maxQueuedBytes;
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final Object framing = new Object();
    private final GenerationCollector collector;
    private final BatchFramer framer;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong processed = new AtomicLong();
    /** The number (in the trace) of the last generation processed or dropped: generations come in order. */
    private volatile long handledThrough;
    private final AtomicBoolean gap = new AtomicBoolean();
    private volatile boolean ended;
    private boolean streamFailed;

    GenerationInbox(long maxQueuedBytes) {
        this.maxQueuedBytes = maxQueuedBytes;
        this.collector = new GenerationCollector(this::offer, true, false);
        this.framer = new BatchFramer(collector);
    }

    /** Frames the next trace bytes; whole generations among them are queued. */
    void write(byte[] b, int off, int len) {
        synchronized (framing) {
            if (streamFailed || ended) {
                return;
            }
            try {
                framer.feed(b, off, len);
            } catch (IOException e) {
                streamFailed = true; // not a trace we can follow: stop bridging, never fail the sink
                System.getLogger("dev.loomtracer.jfr").log(System.Logger.Level.WARNING,
                        "Loom Tracer JFR bridge: cannot follow the trace stream, bridging stops: " + e.getMessage());
            }
        }
    }

    /** The trace stream ended: queues its last generation, then {@link #END}. */
    void end() {
        synchronized (framing) {
            if (ended) {
                return;
            }
            ended = true;
            try {
                if (!streamFailed) {
                    collector.finish();
                }
            } catch (IOException ignored) {
                // a partial last generation is simply not bridged
            }
        }
        try {
            queue.put(END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void offer(RawGeneration g) {
        received.incrementAndGet();
        if (queuedBytes.get() + g.size() > maxQueuedBytes) {
            dropped.incrementAndGet();
            gap.set(true);
            handledThrough = g.number();
            return;
        }
        queuedBytes.addAndGet(g.size());
        queue.add(g);
    }

    /** The next generation, or {@link #END}; blocks until there is one. */
    Object take() throws InterruptedException {
        return queue.take();
    }

    /** The bridge thread is done with {@code g}: its bytes leave the queue's budget. */
    void processed(RawGeneration g) {
        queuedBytes.addAndGet(-g.size());
        processed.incrementAndGet();
        handledThrough = g.number();
    }

    /** The trace's number of the last generation processed or dropped (0: none yet). */
    long handledThrough() {
        return handledThrough;
    }

    /** The bridge thread stops: nothing queued will be taken. */
    void abandon() {
        queue.clear();
    }

    /** True once if a generation was dropped since the last call. */
    boolean takeGap() {
        return gap.getAndSet(false);
    }

    boolean ended() {
        return ended;
    }

    /** Complete generations framed so far (queued or dropped). */
    long received() {
        return received.get();
    }

    long dropped() {
        return dropped.get();
    }

    long processed() {
        return processed.get();
    }
}
