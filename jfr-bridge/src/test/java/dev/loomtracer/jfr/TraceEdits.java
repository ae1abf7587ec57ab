package dev.loomtracer.jfr;

import dev.loomtracer.format.BatchLayout;
import dev.loomtracer.format.EventType;
import dev.loomtracer.jfr.raw.BatchFramer;
import dev.loomtracer.jfr.raw.RawBatch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Edits of a real trace at the batch level, for tests that need unusual but well-formed input. */
final class TraceEdits {
    private TraceEdits() {}

    /** Copies {@code in} to {@code out} with every frequency batch saying {@code ticksPerSecond}. */
    static void withFrequency(Path in, Path out, long ticksPerSecond) throws IOException {
        try (InputStream i = Files.newInputStream(in); OutputStream o = Files.newOutputStream(out)) {
            o.write(BatchLayout.FILE_HEADER);
            BatchFramer.frameAll(i, new BatchFramer.Sink() {
                @Override
                public void header(String version) {
                }

                @Override
                public void batch(RawBatch b) throws IOException {
                    if (!b.isFrequency()) {
                        o.write(b.bytes());
                        return;
                    }
                    ByteArrayOutputStream payload = new ByteArrayOutputStream();
                    payload.write(EventType.FREQUENCY);
                    uvarint(payload, ticksPerSecond);
                    o.write(EventType.EVENT_BATCH);
                    uvarint(o, b.gen());
                    uvarint(o, b.m());
                    uvarint(o, b.ticks());
                    uvarint(o, payload.size());
                    payload.writeTo(o);
                }
            });
        }
    }

    static void uvarint(OutputStream o, long v) throws IOException {
        while (Long.compareUnsigned(v, 0x80) >= 0) {
            o.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        o.write((int) v);
    }
}
