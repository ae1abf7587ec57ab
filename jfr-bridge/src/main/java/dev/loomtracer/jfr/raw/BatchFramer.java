package dev.loomtracer.jfr.raw;

import dev.loomtracer.format.BatchLayout;
import dev.loomtracer.format.EventType;

import java.io.IOException;
import java.io.InputStream;
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

    private final Sink sink;
    private byte[] buf = new byte[1 << 17];
    private int len;
    /** Trace offset of buf[0]. */
    private long base;
    private boolean headerDone;
    private String version;
    private final long[] h = new long[BatchLayout.FIELDS];

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
            if (len < BatchLayout.FILE_HEADER_LENGTH) {
                if (!BatchLayout.isFileHeaderPrefix(buf, len)) {
                    throw new RawTraceException(0, -1, "bad file format: not a Go execution trace (go 1.22/1.23 header)");
                }
                return;
            }
            version = BatchLayout.version(buf);
            if (version == null) {
                throw new RawTraceException(0, -1, "bad file format: not a Go execution trace (go 1.22/1.23 header)");
            }
            headerDone = true;
            pos = BatchLayout.FILE_HEADER_LENGTH;
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

    /** Frames the batch at {@code pos}; returns the position after it, or -1 if it is not all here. */
    private int frame(int pos) throws IOException {
        if (pos >= len) {
            return -1;
        }
        long at = base + pos;
        h[BatchLayout.GEN] = 0;
        int p = BatchLayout.readHeader(buf, pos, len, h);
        if (p == BatchLayout.CUT) {
            return -1;
        }
        if (p == BatchLayout.NOT_A_BATCH) {
            int type = buf[pos] & 0xFF;
            throw new RawTraceException(0, at, "expected a batch, found byte " + type + " ("
                    + EventType.name(type) + ")");
        }
        if (p == BatchLayout.OVERFLOW) {
            throw new RawTraceException(h[BatchLayout.GEN], at, "overflowing uvarint in a batch header");
        }
        long gen = h[BatchLayout.GEN];
        long size = h[BatchLayout.SIZE];
        if (gen == 0) {
            throw new RawTraceException(0, at, "invalid generation number 0");
        }
        if (!BatchLayout.validSize(size)) {
            throw new RawTraceException(gen, at, BatchLayout.sizeError(size));
        }
        if (len - p < size) {
            return -1;
        }
        int end = p + (int) size;
        byte[] bytes = Arrays.copyOfRange(buf, pos, end);
        sink.batch(new RawBatch(gen, h[BatchLayout.M], h[BatchLayout.TIME], bytes, p - pos, at,
                (int) h[BatchLayout.EXPERIMENT]));
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
