package dev.loomtracer.jfr.convert;

import org.openjdk.jmc.flightrecorder.writer.api.Recording;
import org.openjdk.jmc.flightrecorder.writer.api.Recordings;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a .jfr file as a sequence of JFR chunks, each one a JMC writer {@link Recording} of its
 * own, so memory is bounded by one chunk however long the trace (JMC's writer keeps a whole
 * recording in memory until it is closed). A .jfr file is a concatenation of self-contained
 * chunks; JDK and JMC readers read them in order.
 *
 * <p>Invariants: each chunk's header (start time in ticks and wall-clock nanoseconds, duration)
 * is rewritten once the chunk is closed, from the earliest start and latest end of the events
 * written into it, mapped to wall time by the anchor given to {@link #finish}; ticks are trace
 * nanoseconds (1 tick = 1 ns). The output appears only at {@link #finish}, atomically; on failure
 * nothing is left behind ({@link #abort}).
 */
final class ChunkedJfrWriter implements AutoCloseable {
    // Chunk header layout (JMC's writer, JFR format 2.0): big-endian longs.
    private static final int START_NANOS_OFFSET = 32;
    private static final int DURATION_OFFSET = 40;
    private static final int START_TICKS_OFFSET = 48;

    private record Done(Path file, long startTicks, long endTicks) {}

    private final Path out;
    private final Path dir;
    private final List<Done> done = new ArrayList<>();
    private Recording rec;
    private JfrSchema schema;
    private Path current;
    private long minTicks = Long.MAX_VALUE;
    private long maxTicks = Long.MIN_VALUE;
    private long eventsInChunk;
    private long chunkStart;

    ChunkedJfrWriter(Path out) throws IOException {
        this.out = out.toAbsolutePath();
        Path parent = this.out.getParent();
        this.dir = Files.createTempDirectory(parent, ".to-jfr-");
    }

    /** The schema of the current chunk, opening a chunk if none is open. */
    JfrSchema schema(long firstTicksGuess) throws IOException {
        if (rec == null) {
            current = dir.resolve("chunk-" + done.size() + ".jfr");
            long start = Math.max(0, firstTicksGuess);
            chunkStart = start;
            rec = Recordings.newRecording(current, s -> s.withStartTicks(start).withTimestamp(start).withDuration(1));
            schema = new JfrSchema(rec);
            minTicks = Long.MAX_VALUE;
            maxTicks = Long.MIN_VALUE;
            eventsInChunk = 0;
        }
        return schema;
    }

    /** Records that an event spanning [start, end] ticks went into the current chunk. */
    void wrote(long startTicks, long endTicks) {
        minTicks = Math.min(minTicks, startTicks);
        maxTicks = Math.max(maxTicks, endTicks);
        eventsInChunk++;
    }

    long eventsInChunk() {
        return eventsInChunk;
    }

    int chunks() {
        return done.size() + (rec != null ? 1 : 0);
    }

    /** Closes the current chunk (if it has events); the next event opens a new one. */
    void endChunk() throws IOException {
        if (rec == null) {
            return;
        }
        Recording r = rec;
        rec = null;
        schema = null;
        r.close();
        if (eventsInChunk == 0) {
            Files.deleteIfExists(current);
            return;
        }
        done.add(new Done(current, minTicks, maxTicks));
    }

    /**
     * Closes the last chunk, fixes every chunk header with wall time
     * {@code epochNanosAtTick0 + ticks}, and moves the concatenation to the output path.
     * Returns the number of chunks written.
     */
    int finish(long epochNanosAtTick0) throws IOException {
        if (done.isEmpty() && rec != null && eventsInChunk == 0) {
            // Nothing to convert (a trace with no episode): one chunk with the types and no
            // events, so the output is still a recording every reader opens.
            rec.close();
            rec = null;
            schema = null;
            done.add(new Done(current, chunkStart, chunkStart));
        }
        endChunk();
        Path tmp = dir.resolve("out.jfr");
        try (FileChannel o = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (Done d : done) {
                try (RandomAccessFile f = new RandomAccessFile(d.file().toFile(), "rw")) {
                    f.seek(START_NANOS_OFFSET);
                    f.writeLong(epochNanosAtTick0 + d.startTicks());
                    f.seek(DURATION_OFFSET);
                    f.writeLong(Math.max(1, d.endTicks() - d.startTicks()));
                    f.seek(START_TICKS_OFFSET);
                    f.writeLong(d.startTicks());
                }
                try (FileChannel in = FileChannel.open(d.file(), StandardOpenOption.READ)) {
                    long pos = 0;
                    long size = in.size();
                    while (pos < size) {
                        pos += in.transferTo(pos, size - pos, o);
                    }
                }
                Files.delete(d.file());
            }
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        int n = done.size();
        done.clear();
        Files.deleteIfExists(dir);
        return n;
    }

    /** Drops everything written so far. */
    void abort() {
        try {
            if (rec != null) {
                rec.close();
            }
        } catch (IOException | RuntimeException ignored) {
            // best effort
        }
        rec = null;
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // best effort
        }
    }

    @Override
    public void close() {
        if (Files.exists(dir)) {
            abort();
        }
    }
}
