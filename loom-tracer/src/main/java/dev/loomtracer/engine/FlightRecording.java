package dev.loomtracer.engine;

import dev.loomtracer.TraceOptions;
import dev.loomtracer.TraceResult;
import dev.loomtracer.format.BatchLayout;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The flight recorder: the trace's reader keeps the most recent complete generations in memory
 * instead of writing them out (Go 1.25's FlightRecorder).
 *
 * <p>Invariants: only complete generations are kept, consecutive and in order, so a snapshot
 * (header + kept generations) is always a valid trace; the kept bytes never exceed
 * {@code maxBytes} unless a single generation is larger (the newest one is always kept), and
 * beyond that, generations older than {@code minAge} are dropped. A snapshot never stops
 * tracing: it ends the current generation so that the snapshot reaches up to now.
 */
public final class FlightRecording {
    private record Kept(long gen, byte[] bytes, long endNanos) {}

    private final Tracer tracer;
    private final long minAgeNanos;
    private final long maxBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progressed = lock.newCondition();
    private final ArrayDeque<Kept> kept = new ArrayDeque<>();
    private long keptBytes;
    private long newestGen;
    private boolean ended;
    private final Thread consumer;
    private volatile java.util.function.Consumer<byte[]> onGeneration; // called on the consumer thread

    private FlightRecording(Tracer tracer, Duration minAge, long maxBytes) {
        this.tracer = tracer;
        this.minAgeNanos = minAge.toNanos();
        this.maxBytes = maxBytes;
        this.consumer = Thread.ofPlatform().daemon().name("loomtrace-flight-recorder").unstarted(this::consume);
    }

    /** Starts tracing with {@code config} and keeps its recent generations. */
    public static FlightRecording start(Tracer tracer, TraceOptions config, Duration minAge, long maxBytes) {
        if (minAge == null || minAge.isNegative()) {
            throw new IllegalArgumentException("flight recorder minimum age must be zero or positive, got " + minAge);
        }
        if (maxBytes < (64 << 10)) {
            throw new IllegalArgumentException("flight recorder size must be at least 64 KiB, got " + maxBytes);
        }
        FlightRecording fr = new FlightRecording(tracer, minAge, maxBytes);
        tracer.start(config);
        fr.consumer.start();
        return fr;
    }

    private void consume() {
        // A generation's chunks are copied out of the reader's buffers as they come (the buffers
        // go back to the pool) and joined once at its end: two copies of each byte, where a
        // ByteArrayOutputStream made three (and kept a generation-sized array for ever).
        java.util.List<byte[]> chunks = new java.util.ArrayList<>();
        long size = 0;
        try {
            for (;;) {
                TraceReader.Chunk c = tracer.readChunk();
                if (c == null) {
                    break;
                }
                if (c.bytes() != null) {
                    if (c.gen() != 0) { // the header is written per snapshot, not kept
                        java.nio.ByteBuffer b = c.bytes();
                        byte[] a = new byte[b.remaining()];
                        b.get(a);
                        chunks.add(a);
                        size += a.length;
                    }
                } else if (c.endOfGen() != 0) {
                    byte[] gen = join(chunks, size);
                    chunks.clear();
                    size = 0;
                    keep(c.endOfGen(), gen);
                    java.util.function.Consumer<byte[]> l = onGeneration;
                    if (l != null) {
                        l.accept(gen);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.lock();
            ended = true;
            progressed.signalAll();
            lock.unlock();
        }
    }

    private static byte[] join(java.util.List<byte[]> chunks, long size) {
        if (chunks.size() == 1) {
            return chunks.get(0);
        }
        byte[] out = new byte[Math.toIntExact(size)];
        int at = 0;
        for (byte[] a : chunks) {
            System.arraycopy(a, 0, out, at, a.length);
            at += a.length;
        }
        return out;
    }

    private void keep(long gen, byte[] bytes) {
        long now = System.nanoTime();
        lock.lock();
        try {
            kept.addLast(new Kept(gen, bytes, now));
            keptBytes += bytes.length;
            newestGen = gen;
            while (kept.size() > 1 && keptBytes > maxBytes) {
                keptBytes -= kept.removeFirst().bytes.length;
            }
            // The oldest generation may go once the next one alone reaches back minAge.
            while (kept.size() > 1 && now - kept.peekFirst().endNanos >= minAgeNanos) {
                keptBytes -= kept.removeFirst().bytes.length;
            }
            progressed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes a trace of the kept generations, up to now, to {@code out}; tracing goes on.
     * Returns the bytes written.
     */
    public long writeTo(OutputStream out) throws IOException, InterruptedException {
        long target = tracer.generation();
        tracer.advanceNow();
        List<Kept> snapshot;
        lock.lock();
        try {
            while (!ended && newestGen < target) {
                progressed.await();
            }
            snapshot = new ArrayList<>(kept);
        } finally {
            lock.unlock();
        }
        if (snapshot.isEmpty()) {
            throw new IllegalStateException("the flight recorder holds no complete generation yet");
        }
        Tracer.checkOutsideTraceLock("a flight-recorder snapshot's I/O");
        out.write(BatchLayout.FILE_HEADER);
        long n = BatchLayout.FILE_HEADER.length;
        for (Kept k : snapshot) {
            out.write(k.bytes);
            n += k.bytes.length;
        }
        out.flush();
        return n;
    }

    /**
     * Hands every generation completed from now on (its bytes, without the trace header; a
     * complete trace with {@link BatchLayout#FILE_HEADER} before it) to {@code listener}, on the
     * recorder's own thread: the listener must only hand it on (it delays the recorder).
     */
    public void onGeneration(java.util.function.Consumer<byte[]> listener) {
        this.onGeneration = listener;
    }

    /** Bytes currently kept. */
    public long keptBytes() {
        lock.lock();
        try {
            return keptBytes;
        } finally {
            lock.unlock();
        }
    }

    /** Stops tracing and drops what was kept. */
    public TraceResult stop() {
        TraceResult s = tracer.stop();
        try {
            consumer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lock.lock();
        kept.clear();
        keptBytes = 0;
        lock.unlock();
        return s;
    }
}
