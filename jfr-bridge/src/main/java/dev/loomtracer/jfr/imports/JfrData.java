package dev.loomtracer.jfr.imports;

import dev.loomtracer.engine.Tracer;
import dev.loomtracer.jfr.events.LoomEvents;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the importer takes from a JFR recording: CPU samples, GC collections and pauses, and the
 * clock-sync events that tie the recording's clock to a trace's. Times are nanoseconds since the
 * epoch, as the recording states them.
 */
record JfrData(List<Sample> samples, List<Range> collections, List<Range> pauses, List<ClockSync> syncs) {

    /** One frame: "Class.method" (binary class name), line (0 if unknown). */
    record Frame(String function, String file, int line) {}

    record Sample(long epochNanos, long threadId, boolean virtual, List<Frame> frames) {}

    /** A GC or a pause: [start, end] in epoch ns; {@code name} says which. */
    record Range(long startEpochNanos, long endEpochNanos, long gcId, String name) {}

    record ClockSync(long epochNanos, long nanoTime) {}

    static long epochNanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    /**
     * Reads the recording. Whatever the JDK's reader or a damaged field throws becomes a
     * {@link RecordingFormatException} naming the file and the event it stopped at.
     */
    static JfrData read(Path jfr, int maxFrames) throws IOException {
        Tracer.checkOutsideTraceLock("reading JFR data to import");
        long[] events = {0};
        try {
            return readAll(jfr, maxFrames, events);
        } catch (Exception | VirtualMachineError e) { // the JDK's reader throws InternalError on some damage
            throw new RecordingFormatException(jfr, events[0], e);
        }
    }

    private static JfrData readAll(Path jfr, int maxFrames, long[] count) throws IOException {
        List<Sample> samples = new ArrayList<>();
        List<Range> gcs = new ArrayList<>();
        List<Range> pauses = new ArrayList<>();
        List<ClockSync> syncs = new ArrayList<>();
        Map<Long, String> gcNames = new HashMap<>();
        List<RecordedEvent> pauseEvents = new ArrayList<>();
        try (RecordingFile f = new RecordingFile(jfr)) {
            while (f.hasMoreEvents()) {
                RecordedEvent e = f.readEvent();
                count[0]++;
                switch (e.getEventType().getName()) {
                    case "jdk.ExecutionSample" -> {
                        RecordedThread t = e.getThread("sampledThread");
                        if (t == null) {
                            continue;
                        }
                        samples.add(new Sample(epochNanos(e.getStartTime()), t.getJavaThreadId(), t.isVirtual(),
                                frames(e.getStackTrace(), maxFrames)));
                    }
                    case "jdk.GarbageCollection" -> {
                        long id = e.getLong("gcId");
                        String name = e.getString("name") + ": " + e.getString("cause");
                        gcNames.put(id, name);
                        gcs.add(new Range(epochNanos(e.getStartTime()), epochNanos(e.getEndTime()), id, name));
                    }
                    case "jdk.GCPhasePause" -> pauseEvents.add(e);
                    case LoomEvents.CLOCK_SYNC -> syncs.add(new ClockSync(epochNanos(e.getStartTime()), e.getLong("nanoTime")));
                    default -> { }
                }
            }
        }
        for (RecordedEvent e : pauseEvents) {
            long id = e.getLong("gcId");
            String collector = gcNames.getOrDefault(id, "GC");
            pauses.add(new Range(epochNanos(e.getStartTime()), epochNanos(e.getEndTime()), id,
                    "GC pause (" + collector + ")"));
        }
        return new JfrData(samples, gcs, pauses, syncs);
    }

    private static List<Frame> frames(RecordedStackTrace st, int max) {
        if (st == null) {
            return List.of();
        }
        List<Frame> out = new ArrayList<>();
        for (RecordedFrame f : st.getFrames()) {
            if (out.size() >= max) {
                break;
            }
            if (!f.isJavaFrame() || f.getMethod() == null) {
                continue;
            }
            String cls = f.getMethod().getType().getName();
            int dot = cls.lastIndexOf('.');
            String pkgPath = dot < 0 ? "" : cls.substring(0, dot + 1).replace('.', '/');
            out.add(new Frame(cls + "." + f.getMethod().getName(), pkgPath + "(unknown)", Math.max(0, f.getLineNumber())));
        }
        return out;
    }
}
