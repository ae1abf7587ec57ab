package dev.loomtracer.jfr;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** The independent readers of a .jfr file: the JDK's RecordingFile and its jfr tool. */
public final class Readers {
    private Readers() {}

    /** Counts by event type with jdk.jfr.consumer.RecordingFile, only types matching {@code keep}. */
    static Map<String, Long> recordingFile(Path jfr, Predicate<String> keep) throws IOException {
        Map<String, Long> counts = new TreeMap<>();
        try (RecordingFile f = new RecordingFile(jfr)) {
            while (f.hasMoreEvents()) {
                RecordedEvent e = f.readEvent();
                String name = e.getEventType().getName();
                if (keep.test(name)) {
                    counts.merge(name, 1L, Long::sum);
                }
            }
        }
        return counts;
    }

    /** All events of the given types. */
    /**
     * The events of each JFR chunk of {@code jfr}, in file order: each chunk (its size is the
     * big-endian long at offset 8 of its header, after "FLR\0" and the version) is copied into
     * a file of its own under {@code tmp} and read there ({@code RecordingFile} does not say
     * where a chunk ends).
     */
    static List<Long> eventsPerChunk(Path jfr, Path tmp) throws IOException {
        byte[] all = Files.readAllBytes(jfr);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(all);
        List<Long> out = new ArrayList<>();
        for (int at = 0; at < all.length; ) {
            if (b.getInt(at) != 0x464c5200) {
                throw new IOException("no chunk header at byte " + at + " of " + jfr);
            }
            long size = b.getLong(at + 8);
            Path one = Files.createTempFile(tmp, "chunk", ".jfr");
            Files.write(one, java.util.Arrays.copyOfRange(all, at, Math.toIntExact(at + size)));
            long n = 0;
            try (RecordingFile f = new RecordingFile(one)) {
                for (; f.hasMoreEvents(); f.readEvent()) {
                    n++;
                }
            }
            Files.delete(one);
            out.add(n);
            at = Math.toIntExact(at + size);
        }
        return out;
    }

    static List<RecordedEvent> events(Path jfr, String type) throws IOException {
        List<RecordedEvent> out = new ArrayList<>();
        try (RecordingFile f = new RecordingFile(jfr)) {
            while (f.hasMoreEvents()) {
                RecordedEvent e = f.readEvent();
                if (e.getEventType().getName().equals(type)) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    record Run(int exit, String stdout, String stderr) {}

    /** Runs the JDK's jfr tool (of the JDK running the tests) with output to files. */
    static Run jfrTool(String... args) throws IOException, InterruptedException {
        Path bin = Path.of(System.getProperty("java.home"), "bin", "jfr");
        List<String> cmd = new ArrayList<>();
        cmd.add(bin.toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("jfr", ".out");
        Path err = Files.createTempFile("jfr", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("jfr " + String.join(" ", args) + " did not finish");
            }
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Counts per event type from {@code jfr summary}, only types matching {@code keep}, zero counts dropped. */
    public static Map<String, Long> jfrSummary(Path jfr, Predicate<String> keep) throws IOException, InterruptedException {
        Run r = jfrTool("summary", jfr.toString());
        if (r.exit() != 0) {
            throw new AssertionError("jfr summary failed (" + r.exit() + "): " + r.stderr());
        }
        Map<String, Long> counts = new TreeMap<>();
        for (String line : r.stdout().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[1].matches("\\d+") && keep.test(f[0]) && Long.parseLong(f[1]) > 0) {
                counts.put(f[0], Long.parseLong(f[1]));
            }
        }
        return counts;
    }
}
