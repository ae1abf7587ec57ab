package dev.loomtracer.jfr.raw;

import dev.loomtracer.format.EventType;
import dev.loomtracer.format.Uvarint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Cuts a byte stream into the trace header and whole batches, as bytes arrive (push style), so
 * the same code frames a file and a live trace stream that is being written.
 *
 * <p>Invariant: {@link Sink#batch} receives only whole batches, in stream order, each with the
 * offset of its first byte; nothing is decoded beyond the batch headers. A malformed header or
 * batch header is reported as a {@link RawTraceException} naming its offset; input that ends
 * inside a batch is reported by {@link #end()}. Memory: at most one batch (64 KiB plus header)
 * is buffered beyond what the caller hands in.
 */
public final class BatchFramer {
    /** Receives the framed pieces. */
    public interface Sink {
        /** The header, "go 1.23" or "go 1.22". Called once, before any batch. */
        default void header(String version) throws IOException {}

        void batch(RawBatch batch) throws IOException;
    }

    private static final byte[] GO122 = "go 1.22 trace\0\0\0".getBytes(StandardCharsets.US_ASCII);

    private final Sink sink;
    private byte[] buf = new byte[1 << 17];
    private int len;
    /** Trace offset of buf[0]. */
    private long base;
    private boolean headerDone;
    private String version;
    private final long[] v = new long[1];

    public BatchFramer(Sink sink) {
        this.sink = sink;
    }

    /** "go 1.23" or "go 1.22" once the header has been read, else null. */
    public String version() {
        return version;
    }

    /** Bytes framed so far (the offset of the next unframed byte). */
    public long offset() {
        return base;
    }

    /** Hands in the next bytes of the stream; whole batches among them are passed to the sink. */
    public void feed(byte[] b, int off, int n) throws IOException {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
        System.arraycopy(b, off, buf, len, n);
        len += n;
        int pos = 0;
        if (!headerDone) {
            if (len < EventType.HEADER.length) {
                checkHeaderPrefix();
                return;
            }
            byte[] h = Arrays.copyOf(buf, EventType.HEADER.length);
            if (Arrays.equals(h, EventType.HEADER)) {
                version = "go 1.23";
            } else if (Arrays.equals(h, GO122)) {
                version = "go 1.22";
            } else {
                throw new RawTraceException(0, -1, "bad file format: not a Go execution trace (go 1.22/1.23 header)");
            }
            headerDone = true;
            pos = EventType.HEADER.length;
            sink.header(version);
        }
        for (;;) {
            int end = frame(pos);
            if (end < 0) {
                break;
            }
            pos = end;
        }
        // Keep the unframed tail.
        System.arraycopy(buf, pos, buf, 0, len - pos);
        len -= pos;
        base += pos;
        if (buf.length > (1 << 18) && len < (1 << 16)) {
            buf = Arrays.copyOf(buf, 1 << 17);
        }
    }

    private void checkHeaderPrefix() throws RawTraceException {
        for (int i = 0; i < len; i++) {
            if (buf[i] != EventType.HEADER[i] && buf[i] != GO122[i]) {
                throw new RawTraceException(0, -1, "bad file format: not a Go execution trace (go 1.22/1.23 header)");
            }
        }
    }

    /** Frames the batch at {@code pos}; returns the position after it, or -1 if it is not all here. */
    private int frame(int pos) throws IOException {
        if (pos >= len) {
            return -1;
        }
        long at = base + pos;
        int type = buf[pos] & 0xFF;
        if (type != EventType.EVENT_BATCH && type != EventType.EXPERIMENTAL_BATCH) {
            throw new RawTraceException(0, at, "expected a batch, found byte " + type + " ("
                    + EventType.name(type) + ")");
        }
        int p = pos + 1;
        int experiment = 0;
        if (type == EventType.EXPERIMENTAL_BATCH) {
            if (p >= len) {
                return -1;
            }
            experiment = buf[p++] & 0xFF;
        }
        long[] h = new long[4];
        for (int i = 0; i < 4; i++) {
            int next = Uvarint.read(buf, p, len, v);
            if (next == -1) {
                return -1;
            }
            if (next == -2) {
                throw new RawTraceException(h[0], at, "overflowing uvarint in a batch header");
            }
            h[i] = v[0];
            p = next;
        }
        long gen = h[0];
        long size = h[3];
        if (gen == 0) {
            throw new RawTraceException(0, at, "invalid generation number 0");
        }
        if (Long.compareUnsigned(size, EventType.MAX_BATCH_SIZE) > 0) {
            throw new RawTraceException(gen, at, "invalid batch size " + Long.toUnsignedString(size)
                    + ", maximum is " + EventType.MAX_BATCH_SIZE);
        }
        if (len - p < size) {
            return -1;
        }
        int end = p + (int) size;
        byte[] bytes = Arrays.copyOfRange(buf, pos, end);
        sink.batch(new RawBatch(gen, h[1], h[2], bytes, p - pos, at, experiment));
        return end;
    }

    /** The stream ended: fails if it ended inside the header or a batch. */
    public void end() throws RawTraceException {
        if (!headerDone) {
            throw new RawTraceException(0, base + len, len == 0 ? "empty file: not a trace"
                    : "the 16-byte header is cut short");
        }
        if (len > 0) {
            throw new RawTraceException(-1, base, "trace truncated: the batch at byte " + base
                    + " is incomplete (" + len + " bytes of it present)");
        }
    }

    /** Frames a whole stream. */
    public static String frameAll(InputStream in, Sink sink) throws IOException {
        BatchFramer f = new BatchFramer(sink);
        byte[] b = new byte[1 << 16];
        for (int n; (n = in.read(b)) >= 0; ) {
            if (n > 0) {
                f.feed(b, 0, n);
            }
        }
        f.end();
        return f.version();
    }
}
