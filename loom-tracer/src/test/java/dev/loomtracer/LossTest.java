package dev.loomtracer;

import dev.loomtracer.format.EventType;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.testing.CheckedTrace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reader that stops reading: memory stays bounded, the app never blocks, the loss is in the
 * trace (its number is {@code lostEvents()}), and the complete generations before it are kept
 * whole.
 * Every log message is new and long, so the generations' string tables weigh more than their
 * events: the bound holds only because tables count against {@code bufferMemory} (issue 11; it
 * once failed at random with 914,815 bytes when they did not).
 */
class LossTest {
    static final int EARLY = 200;

    @TempDir
    Path dir;

    @Test
    void aReaderThatFallsBehindEndsTheTraceWithTheLossRecordedNeverBlockingWriters() throws Exception {
        LoomTrace.startForReading(TraceOptions.defaults().generationPeriod(Duration.ofMillis(10))
                .generationBytes(64 << 10).bufferMemory(512 << 10));
        // A complete generation before the loss, ended here, not by time: it must be kept whole.
        for (int i = 0; i < EARLY; i++) {
            LoomTrace.log("early", "early message " + i);
        }
        dev.loomtracer.engine.Tracer.GLOBAL.advanceNow();
        // Nobody reads while the application emits far more than 512 KiB: it must not block.
        String padding = "x".repeat(400);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int writer = w;
            writers.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 20_000; i++) {
                    LoomTrace.log("load", "message number " + i + " of writer " + writer + " " + padding);
                }
            }));
        }
        for (Thread t : writers) {
            t.join();
        }
        // Now read everything there is.
        Path file = dir.resolve("loss.trace");
        TraceResult r;
        try (OutputStream out = Files.newOutputStream(file); WritableByteChannel ch = Channels.newChannel(out)) {
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    for (ByteBuffer b; (b = LoomTrace.readTrace()) != null; ) {
                        ch.write(b);
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            r = LoomTrace.stop();
            reader.join();
            assertTrue(r.lostEvents() > 0, "events were lost: " + r);
        }
        CheckedTrace t = CheckedTrace.of(file); // every generation kept, and the loss's, valid for both judges
        // All generations were in memory at once (nobody read): the file is what the budget held,
        // plus the small generation that records the loss.
        assertTrue(Files.size(file) <= (512 << 10) + (16 << 10), "memory bound respected: " + Files.size(file));
        List<TraceEvent> loss = t.events.stream()
                .filter(e -> e.type() == EventType.USER_LOG && "loomtrace.loss".equals(e.name())).toList();
        assertEquals(1, loss.size(), "one loss record");
        TraceEvent record = loss.getFirst();
        assertTrue(record.message().contains("512 KiB"), record.message());

        // Its number is the result's, and it names the generation it replaces: the trace's last.
        Matcher m = Pattern.compile("^(\\d+) events lost in generation (\\d+):").matcher(record.message());
        assertTrue(m.find(), record.message());
        assertEquals(r.lostEvents(), Long.parseLong(m.group(1)), "the loss record's number is lostEvents(): " + record.message());
        long lossGen = Long.parseLong(m.group(2));
        long lastGen = t.events.stream().mapToLong(TraceEvent::generation).max().orElseThrow();
        assertEquals(lossGen, record.generation(), "the loss record is in the generation it replaces");
        assertEquals(lossGen, lastGen, "nothing after the loss");
        List<String> early = t.events.stream().filter(e -> e.type() == EventType.USER_LOG && "early".equals(e.name()))
                .peek(e -> assertTrue(e.generation() < lossGen, "an early log in generation " + e.generation()))
                .map(TraceEvent::message).toList();
        assertEquals(java.util.stream.IntStream.range(0, EARLY).mapToObj(i -> "early message " + i).toList(), early,
                "the complete generation before the loss is kept whole");

        // The complete generations before the loss are kept whole: each writer's messages in the
        // trace are exactly its first ones, 0, 1, ... k-1, none missing (a writer's messages are
        // in time order, and generations are consecutive).
        Pattern msg = Pattern.compile("^message number (\\d+) of writer (\\d+) ");
        Map<Integer, List<Integer>> byWriter = new TreeMap<>();
        for (TraceEvent e : t.events) {
            if (e.type() == EventType.USER_LOG && "load".equals(e.name())) {
                Matcher n = msg.matcher(e.message());
                assertTrue(n.find(), e.message());
                byWriter.computeIfAbsent(Integer.parseInt(n.group(2)), k -> new ArrayList<>()).add(Integer.parseInt(n.group(1)));
            }
        }
        for (Map.Entry<Integer, List<Integer>> w : byWriter.entrySet()) {
            List<Integer> got = w.getValue();
            assertEquals(java.util.stream.IntStream.range(0, got.size()).boxed().toList(), got,
                    "writer " + w.getKey() + ": its first " + got.size() + " messages, in order, none missing");
        }
    }
}
