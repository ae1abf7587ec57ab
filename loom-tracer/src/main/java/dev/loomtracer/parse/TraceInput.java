package dev.loomtracer.parse;

import java.io.IOException;
import java.io.InputStream;

/**
 * Buffered byte input that knows its position.
 *
 * <p>Invariant: {@link #offset()} is the number of bytes consumed from the start of the trace, so
 * every error can name the byte it is at.
 */
final class TraceInput {
    private final InputStream in;
    private final byte[] buf = new byte[64 << 10];
    private int pos;
    private int limit;
    private long base; // offset of buf[0]

    TraceInput(InputStream in) {
        this.in = in;
    }

    long offset() {
        return base + pos;
    }

    /** The next byte, or -1 at the end of the input. */
    int read() throws IOException {
        if (pos == limit && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xFF;
    }

    /** Reads up to {@code len} bytes into {@code dst}; returns how many it read (fewer only at the end). */
    int readFully(byte[] dst, int off, int len) throws IOException {
        int done = 0;
        while (done < len) {
            if (pos == limit && !fill()) {
                break;
            }
            int n = Math.min(len - done, limit - pos);
            System.arraycopy(buf, pos, dst, off + done, n);
            pos += n;
            done += n;
        }
        return done;
    }

    private boolean fill() throws IOException {
        base += limit;
        pos = 0;
        limit = 0;
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) {
            return false;
        }
        limit = n;
        return true;
    }
}
