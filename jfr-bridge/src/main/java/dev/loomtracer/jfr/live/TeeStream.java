package dev.loomtracer.jfr.live;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A trace sink that passes every byte to the wrapped stream and to a {@link JfrBridge}. Made by
 * {@link JfrBridge#tee}.
 *
 * <p>Invariant: the wrapped stream gets exactly the bytes written, in order, whatever the bridge
 * does; {@link #close()} ends the bridge's input, waits for its last commits, then closes the
 * wrapped stream.
 */
public final class TeeStream extends FilterOutputStream {
    private final JfrBridge bridge;

    TeeStream(OutputStream out, JfrBridge bridge) {
        super(out);
        this.bridge = bridge;
    }

    public JfrBridge bridge() {
        return bridge;
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        bridge.write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        bridge.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
        try {
            bridge.close();
        } finally {
            super.close();
        }
    }
}
