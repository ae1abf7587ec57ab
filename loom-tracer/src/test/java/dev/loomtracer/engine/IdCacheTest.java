package dev.loomtracer.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IdCacheTest {
    @Test
    void answersOnlyForTheSameObjectInTheSameGeneration() {
        IdCache c = new IdCache();
        String reason = "sleep 1 ms";
        assertEquals(IdCache.MISS, c.get(reason, reason.hashCode(), 1));
        c.put(reason, reason.hashCode(), 7);
        assertEquals(7, c.get(reason, reason.hashCode(), 1));
        String equalCopy = new String(reason.toCharArray());
        assertEquals(IdCache.MISS, c.get(equalCopy, equalCopy.hashCode(), 1), "an equal string is not the same object");
        assertEquals(IdCache.MISS, c.get(reason, reason.hashCode(), 2), "a new generation's tables start empty");
        assertEquals(IdCache.MISS, c.get(reason, reason.hashCode(), 2), "and the old entry is gone");
        c.put(reason, reason.hashCode(), 3);
        assertEquals(3, c.get(reason, reason.hashCode(), 2));
    }

    @Test
    void aCollidingKeyReplacesTheEntryAndNeverGetsItsId() {
        IdCache c = new IdCache();
        Object a = new Object();
        Object b = new Object();
        int hash = 42; // both in one slot
        c.get(a, hash, 1);
        c.put(a, hash, 5);
        assertEquals(IdCache.MISS, c.get(b, hash, 1));
        c.put(b, hash, 6);
        assertEquals(6, c.get(b, hash, 1));
        assertEquals(IdCache.MISS, c.get(a, hash, 1));
    }
}
