package dev.loomtracer.parse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link LongMap} behaves as a {@code HashMap<Long, V>} under random puts, removals (also of a key
 * only while it maps to a given object) and lookups, plain and remembering ({@code getRecent},
 * whose remembered keys must follow every put, removal and clear)
 * (removal shifts entries back across wrapped clusters: the keys are drawn from a small range so
 * clusters form and wrap), including negative keys and growth.
 */
class LongMapTest {
    @Test
    void agreesWithHashMapUnderRandomOperations() {
        for (long seed = 1; seed <= 20; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            LongMap<Long> m = new LongMap<>(4);
            Map<Long, Long> ref = new HashMap<>();
            int range = 8 + rnd.nextInt(200);
            long[] recent = {0, 0};
            for (int op = 0; op < 20_000; op++) {
                long k = rnd.nextInt(range) - range / 4;
                switch (rnd.nextInt(7)) {
                    case 0, 1 -> {
                        Long v = (long) op;
                        assertEquals(ref.put(k, v), m.put(k, v), "put " + k);
                    }
                    case 2 -> assertEquals(ref.remove(k), m.remove(k), "remove " + k);
                    case 3 -> {
                        // Only the very value object mapped: an equal but other Long is not removed.
                        Long now = m.get(k);
                        Long v = rnd.nextBoolean() || now == null ? now : Long.valueOf(now.longValue());
                        boolean mapped = v != null && ref.get(k) == v;
                        assertEquals(mapped, m.remove(k, v), "remove " + k + " if " + v);
                        if (mapped) {
                            ref.remove(k);
                        }
                    }
                    case 4 -> assertEquals(ref.get(k), m.get(k), "get " + k);
                    case 5 -> {
                        // One of the two keys looked up last, mostly: the remembered answers.
                        long r = rnd.nextBoolean() ? k : recent[rnd.nextInt(2)];
                        assertEquals(ref.get(r), m.getRecent(r), "getRecent " + r);
                        recent[1] = recent[0];
                        recent[0] = r;
                    }
                    default -> {
                        if (rnd.nextInt(50) == 0) {
                            m.clear();
                            ref.clear();
                        } else {
                            assertEquals(ref.get(recent[0]), m.getRecent(recent[0]), "getRecent " + recent[0]);
                        }
                    }
                }
                assertEquals(ref.size(), m.size());
            }
            for (long k = -range; k < range; k++) {
                assertEquals(ref.get(k), m.get(k), "seed " + seed + " key " + k);
                assertEquals(ref.containsKey(k), m.containsKey(k));
            }
            long[] keys = m.keys();
            java.util.Arrays.sort(keys);
            assertArrayEquals(new TreeSet<>(ref.keySet()).stream().mapToLong(Long::longValue).toArray(), keys);
            assertEquals(ref.size(), m.values().size());
        }
    }

    @Test
    void computeIfAbsentMakesOnceAndClearEmpties() {
        LongMap<String> m = new LongMap<>();
        assertEquals("7", m.computeIfAbsent(7, Long::toString));
        assertEquals("7", m.computeIfAbsent(7, k -> "other"));
        m.clear();
        assertNull(m.get(7));
        assertEquals(0, m.size());
    }
}
