package dev.loomtracer.hooks.agent;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The wire between {@code loomtrace attach} and the agent it loads into the target: the tool
 * listens on a loopback port and names it, with a one-time key, in the agent's options; the
 * agent connects back and streams the answer, so the file is written by the tool, on the tool's
 * side, whoever the target runs as and whatever file system it sees.
 *
 * <p>Invariants: the agent speaks first, with the key and a newline (the tool drops a connection
 * with another key); then frames of {@code type (1 byte), length (4 bytes), payload}; an answer
 * ends with exactly one {@link #END}, {@link #ERROR} or {@link #EXITING} frame, so a connection
 * that closes without one was cut (the target died).
 */
public final class AttachProtocol {
    private AttachProtocol() {}

    /** Trace bytes, in order. */
    public static final byte DATA = 'D';
    /** A line for the user (the agent's notes). */
    public static final byte MESSAGE = 'M';
    /** The action succeeded; the payload says what was done. */
    public static final byte END = 'E';
    /** The action failed; the payload says why. */
    public static final byte ERROR = 'X';
    /** The target began to exit during the action; what was sent before is complete. */
    public static final byte EXITING = 'Q';

    /** The option that marks an agent load as one made by {@code loomtrace attach}. */
    public static final String ACTION_OPTION = "attach";

    /** The system property where the agent publishes that it is loaded (its jar). */
    public static final String AGENT_PROPERTY = "loomtrace.agent";

    private static final int MAX_FRAME = 1 << 20;

    /** One frame read back. */
    public record Frame(byte type, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    public static void text(DataOutputStream out, byte type, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            frame(out, type, b, 0, b.length);
            out.flush();
        }
    }

    private static void frame(DataOutputStream out, byte type, byte[] b, int off, int len) throws IOException {
        out.writeByte(type);
        out.writeInt(len);
        out.write(b, off, len);
    }

    /** An output stream whose writes go out as {@link #DATA} frames. */
    public static OutputStream data(DataOutputStream out) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                synchronized (out) {
                    while (len > 0) {
                        int n = Math.min(len, MAX_FRAME);
                        frame(out, DATA, b, off, n);
                        off += n;
                        len -= n;
                    }
                }
            }

            @Override
            public void flush() throws IOException {
                synchronized (out) {
                    out.flush();
                }
            }
        };
    }

    /**
     * The next frame, or null at a clean end of the stream (between frames).
     *
     * @throws EOFException if the stream ends inside a frame
     * @throws IOException if a frame is malformed
     */
    public static Frame read(DataInputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            return null;
        }
        int len = in.readInt();
        if (len < 0 || len > MAX_FRAME) {
            throw new IOException("malformed answer from the agent (frame length " + len + ")");
        }
        byte[] b = new byte[len];
        in.readFully(b);
        return new Frame((byte) type, b);
    }
}
