package dev.loomtracer.engine;

import dev.loomtracer.format.EventType;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * tracestring: one generation's string dictionary.
 *
 * <p>Invariant: within a generation a string has exactly one id, whichever writers intern it and
 * in whatever order, and the dump lists each id once. Id 0 is the empty string and is never
 * dumped (the format defines it). Looking up a known string allocates nothing; only the first
 * intern of a string in a generation allocates. Strings longer than the format's 1 KiB limit are
 * cut at a character boundary and marked with "…" when dumped, never rejected.
 */
class StringTable {
    // Package-private and the class non-final only so that the stress module's broken controls can mutate put.
    final ConcurrentHashMap<String, Long> ids = new ConcurrentHashMap<>();
    final AtomicLong nextId = new AtomicLong(1);

    long put(String s) {
        if (s == null || s.isEmpty()) {
            return 0;
        }
        Long id = ids.get(s);
        if (id != null) {
            return id;
        }
        long fresh = nextId.getAndIncrement();
        Long raced = ids.putIfAbsent(s, fresh);
        return raced != null ? raced : fresh;
    }

    int size() {
        return ids.size();
    }

    /** Writes the table as strings batches. Call only when no writer can add to it. */
    void dump(BatchBuilder out) {
        out.begin(EventType.STRINGS);
        for (Map.Entry<String, Long> e : ids.entrySet()) {
            byte[] bytes = encode(e.getKey());
            out.reserve(1 + 2 * 10 + bytes.length);
            TraceBuf b = out.buf();
            b.putByte(EventType.STRING);
            b.varint(e.getValue());
            b.varint(bytes.length);
            b.bytes(bytes, bytes.length);
        }
        out.end();
    }

    void reset() {
        ids.clear();
        nextId.set(1);
    }

    static byte[] encode(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= EventType.MAX_STRING_SIZE) {
            return b;
        }
        byte[] mark = "…".getBytes(StandardCharsets.UTF_8);
        int cut = EventType.MAX_STRING_SIZE - mark.length;
        while (cut > 0 && (b[cut] & 0xC0) == 0x80) {
            cut--; // do not split a UTF-8 sequence
        }
        byte[] r = new byte[cut + mark.length];
        System.arraycopy(b, 0, r, 0, cut);
        System.arraycopy(mark, 0, r, cut, mark.length);
        return r;
    }
}
