package dev.loomtracer.engine;

import dev.loomtracer.format.BatchLayout;
import dev.loomtracer.format.EventType;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TablesTest {
    private static long uvarint(ByteBuffer b) {
        long v = 0;
        int shift = 0;
        for (;;) {
            int x = b.get() & 0xff;
            v |= (long) (x & 0x7f) << shift;
            if (x < 0x80) {
                return v;
            }
            shift += 7;
        }
    }

    /** Skips a batch header and returns the payload. */
    private static ByteBuffer payload(TraceBuf b) {
        ByteBuffer v = b.view();
        assertEquals(EventType.EVENT_BATCH, v.get());
        uvarint(v);
        uvarint(v);
        uvarint(v);
        long size = uvarint(v);
        assertEquals(size, v.remaining());
        assertTrue(size <= BatchLayout.MAX_PAYLOAD);
        return v;
    }

    private static Map<Long, String> dumpStrings(StringTable t) {
        List<TraceBuf> out = new ArrayList<>();
        t.dump(new BatchBuilder(1, out));
        Map<Long, String> m = new HashMap<>();
        for (TraceBuf b : out) {
            ByteBuffer v = payload(b);
            assertEquals(EventType.STRINGS, v.get());
            while (v.hasRemaining()) {
                assertEquals(EventType.STRING, v.get());
                long id = uvarint(v);
                int len = (int) uvarint(v);
                byte[] s = new byte[len];
                v.get(s);
                String prev = m.put(id, new String(s, StandardCharsets.UTF_8));
                assertEquals(null, prev, "id " + id + " dumped once");
            }
        }
        return m;
    }

    @Test
    void concurrentInternersAgreeOnIdsAndTheDumpListsEachStringOnce() throws Exception {
        StringTable t = new StringTable();
        int threads = 8;
        int strings = 2000;
        ConcurrentHashMap<String, Set<Long>> seen = new ConcurrentHashMap<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            ts.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int s = 0; s < strings; s++) {
                    String str = "reason-" + s;
                    seen.computeIfAbsent(str, k -> ConcurrentHashMap.newKeySet()).add(t.put(str));
                }
            }));
        }
        go.countDown();
        for (Thread th : ts) {
            th.join();
        }
        for (Map.Entry<String, Set<Long>> e : seen.entrySet()) {
            assertEquals(1, e.getValue().size(), "one id for " + e.getKey() + ": " + e.getValue());
        }
        Map<Long, String> dumped = dumpStrings(t);
        assertEquals(strings, dumped.size(), "every string dumped exactly once");
        for (Map.Entry<String, Set<Long>> e : seen.entrySet()) {
            assertEquals(e.getKey(), dumped.get(e.getValue().iterator().next()));
        }
    }

    @Test
    void theEmptyStringIsIdZeroAndIsNotDumped() {
        StringTable t = new StringTable();
        assertEquals(0, t.put(""));
        assertEquals(0, t.put(null));
        assertEquals(0, dumpStrings(t).size());
    }

    @Test
    void overlongStringsAreCutAtACharacterBoundaryAndMarked() {
        StringTable t = new StringTable();
        String longer = "é".repeat(2000); // 4000 UTF-8 bytes
        long id = t.put(longer);
        String dumped = dumpStrings(t).get(id);
        assertTrue(dumped.getBytes(StandardCharsets.UTF_8).length <= EventType.MAX_STRING_SIZE);
        assertTrue(dumped.endsWith("…"), "marked as cut");
        assertTrue(dumped.substring(0, dumped.length() - 1).chars().allMatch(c -> c == 'é'), "no broken character");
    }

    @Test
    void asciiAndOtherStringsDumpAsTheirUtf8Bytes() {
        // The dump writes ASCII strings straight into the batch and backs out of a string once it
        // meets a character that is not: what it wrote of it must not stay in front of its bytes.
        StringTable t = new StringTable();
        String atLimit = "a".repeat(EventType.MAX_STRING_SIZE);
        List<String> whole = List.of("network", "sleep 100 µs", "sync: park ReentrantLock$NonfairSync", "example-12345",
                "ab\u0080", "日本語の名前", atLimit);
        Map<String, Long> ids = new HashMap<>();
        for (String s : whole) {
            ids.put(s, t.put(s));
        }
        String over = "b".repeat(EventType.MAX_STRING_SIZE + 5);
        long overId = t.put(over);
        Map<Long, String> dumped = dumpStrings(t);
        assertEquals(whole.size() + 1, dumped.size());
        for (String s : whole) {
            assertEquals(s, dumped.get(ids.get(s)));
        }
        String cut = dumped.get(overId);
        assertTrue(cut.getBytes(StandardCharsets.UTF_8).length <= EventType.MAX_STRING_SIZE);
        assertTrue(cut.endsWith("…") && cut.substring(0, cut.length() - 1).chars().allMatch(c -> c == 'b'), "cut and marked");
    }

    @Test
    void largeTablesSplitIntoBatchesWithinTheLimit() {
        StringTable t = new StringTable();
        for (int i = 0; i < 200; i++) {
            t.put(i + ":" + "x".repeat(1000));
        }
        List<TraceBuf> out = new ArrayList<>();
        t.dump(new BatchBuilder(1, out));
        assertTrue(out.size() >= 3, "200 KB of strings need several 64 KiB batches, got " + out.size());
        assertEquals(200, dumpStrings(t).size());
    }

    @Test
    void equalStacksShareAnIdAndFramesGetPcsUniquePerFrame() {
        StackTable stacks = new StackTable();
        StringTable strings = new StringTable();
        CapturedStack.Frame a = new CapturedStack.Frame("A.run", "p/A.java", 10);
        CapturedStack.Frame b = new CapturedStack.Frame("B.call", "p/B.java", 20);
        CapturedStack.Frame b2 = new CapturedStack.Frame("B.call", "p/B.java", 21);
        long s1 = stacks.put(CapturedStack.ofFrames(a, b));
        long s2 = stacks.put(CapturedStack.ofFrames(a, b));
        long s3 = stacks.put(CapturedStack.ofFrames(a, b2));
        assertEquals(s1, s2);
        assertNotEquals(s1, s3);
        assertEquals(0, stacks.put(null));
        List<TraceBuf> out = new ArrayList<>();
        stacks.dump(new BatchBuilder(1, out), strings, new FramePcs());
        Map<Long, CapturedStack.Frame> byPc = new HashMap<>();
        Set<Long> ids = new HashSet<>();
        Map<Long, String> strs = dumpStrings(strings);
        for (TraceBuf buf : out) {
            ByteBuffer v = payload(buf);
            assertEquals(EventType.STACKS, v.get());
            while (v.hasRemaining()) {
                assertEquals(EventType.STACK, v.get());
                assertTrue(ids.add(uvarint(v)), "each stack once");
                long n = uvarint(v);
                for (int i = 0; i < n; i++) {
                    long pc = uvarint(v);
                    CapturedStack.Frame f = new CapturedStack.Frame(strs.get(uvarint(v)), strs.get(uvarint(v)), (int) uvarint(v));
                    CapturedStack.Frame prev = byPc.put(pc, f);
                    assertTrue(prev == null || prev.equals(f), "a PC names one frame: " + prev + " vs " + f);
                }
            }
        }
        assertEquals(Set.of(s1, s3), ids);
        assertEquals(3, byPc.size(), "three distinct frames, three PCs");
    }

    /** PC → frame of one generation's dumped stack table (fails if a PC names two frames in it). */
    private static Map<Long, CapturedStack.Frame> dumpedPcs(StackTable stacks, FramePcs pcs) {
        StringTable strings = new StringTable();
        List<TraceBuf> out = new ArrayList<>();
        stacks.dump(new BatchBuilder(1, out), strings, pcs);
        Map<Long, String> strs = dumpStrings(strings);
        Map<Long, CapturedStack.Frame> byPc = new HashMap<>();
        for (TraceBuf buf : out) {
            ByteBuffer v = payload(buf);
            assertEquals(EventType.STACKS, v.get());
            while (v.hasRemaining()) {
                assertEquals(EventType.STACK, v.get());
                uvarint(v);
                long n = uvarint(v);
                for (int i = 0; i < n; i++) {
                    long pc = uvarint(v);
                    CapturedStack.Frame f = new CapturedStack.Frame(strs.get(uvarint(v)), strs.get(uvarint(v)), (int) uvarint(v));
                    CapturedStack.Frame prev = byPc.put(pc, f);
                    assertTrue(prev == null || prev.equals(f), "a PC names one frame: " + prev + " vs " + f);
                }
            }
        }
        return byPc;
    }

    /**
     * Go's profiles key frames by PC across the whole trace, so a frame keeps its PC from one
     * generation to the next, and a PC never names another frame later, whatever order the
     * frames are met in.
     */
    @Test
    void aFrameKeepsItsPcInEveryGenerationAndAPcNamesOneFrameForTheWholeTrace() {
        CapturedStack.Frame a = new CapturedStack.Frame("A.run", "p/A.java", 10);
        CapturedStack.Frame b = new CapturedStack.Frame("B.call", "p/B.java", 20);
        CapturedStack.Frame c = new CapturedStack.Frame("C.read", "p/C.java", 30);
        FramePcs pcs = new FramePcs();
        StackTable gen1 = new StackTable();
        gen1.put(CapturedStack.ofFrames(b, a));
        Map<Long, CapturedStack.Frame> first = dumpedPcs(gen1, pcs);
        StackTable gen2 = new StackTable();
        gen2.put(CapturedStack.ofFrames(c, b, a)); // a new frame met first
        Map<Long, CapturedStack.Frame> second = dumpedPcs(gen2, pcs);
        Map<Long, CapturedStack.Frame> whole = new HashMap<>(first);
        second.forEach((pc, f) -> {
            CapturedStack.Frame prev = whole.put(pc, f);
            assertTrue(prev == null || prev.equals(f), "PC 0x" + Long.toHexString(pc) + " is " + prev + " in generation 1 and " + f + " in 2");
        });
        assertEquals(3, whole.size(), "three frames, three PCs in the whole trace: " + whole);
        assertEquals(3, pcs.size());
        assertEquals(0, pcs.unremembered());
    }

    /**
     * The trace's frame table is bounded: beyond its capacity a new frame gets a fresh PC per
     * generation (counted), so it may have several PCs, but no PC ever names two frames.
     */
    @Test
    void aFullFrameTableCountsTheFramesItCannotKeepAndNeverReusesAPc() {
        FramePcs pcs = new FramePcs(2);
        Map<Long, CapturedStack.Frame> whole = new HashMap<>();
        for (int gen = 0; gen < 3; gen++) {
            StackTable t = new StackTable();
            for (int i = 0; i < 4; i++) {
                t.put(CapturedStack.ofFrames(new CapturedStack.Frame("F.f" + i, "F.java", i), new CapturedStack.Frame("Main.main", "Main.java", 1)));
            }
            dumpedPcs(t, pcs).forEach((pc, f) -> {
                CapturedStack.Frame prev = whole.put(pc, f);
                assertTrue(prev == null || prev.equals(f), "PC 0x" + Long.toHexString(pc) + " named " + prev + " and " + f);
            });
        }
        assertEquals(2, pcs.size(), "remembered up to the capacity");
        // 5 distinct frames: 2 remembered (PCs kept), 3 others get a new PC in each of 3 generations
        assertEquals(9, pcs.unremembered());
        assertEquals(2 + 9, whole.size());
    }
}
