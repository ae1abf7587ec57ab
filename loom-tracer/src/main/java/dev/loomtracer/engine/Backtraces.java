package dev.loomtracer.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Function;

/**
 * Values made from the current thread's stack, cached by the JVM's native backtrace: a
 * {@code new Throwable()} fills a compact backtrace (method ids, bytecode indexes, classes) in a
 * microsecond or two for a typical stack, where a {@link StackWalker} that resolves names and lines
 * costs ten or more; the frames are resolved ({@link Throwable#getStackTrace()}) and converted only
 * the first time a backtrace is seen (a program blocks and annotates in few distinct places).
 *
 * <p>Invariant: a cached value is only returned for a backtrace equal, frame by frame (method id,
 * bytecode index, class), to the one it was made from; a cache hit allocates nothing but the
 * Throwable. Direct-mapped and racy by design (entries are immutable). If the JVM's backtrace is
 * not the expected shape (another JVM, or {@code java.lang} not open to this module),
 * {@link Cache#get} answers null and the caller walks the stack instead.
 */
public final class Backtraces {
    private Backtraces() {}

    private static final VarHandle BACKTRACE;
    private static final VarHandle DEPTH;

    static {
        VarHandle bt = null;
        VarHandle depth = null;
        try {
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(Throwable.class, MethodHandles.lookup());
            bt = l.findVarHandle(Throwable.class, "backtrace", Object.class);
            depth = l.findVarHandle(Throwable.class, "depth", int.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // no fast path: callers walk
        }
        BACKTRACE = bt;
        DEPTH = depth;
    }

    /** True if backtraces can be read here. */
    public static boolean available() {
        return BACKTRACE != null;
    }

    /** A cache of {@code V} by backtrace, made from the resolved stack by {@code make} on a miss. */
    public static final class Cache<V> {
        private record Entry<V>(int hash, short[] methods, int[] bcis, Object[] classes, V value) {}

        private final Entry<?>[] slots;
        private final Function<StackTraceElement[], V> make;

        /** {@code size}: a power of two. */
        public Cache(int size, Function<StackTraceElement[], V> make) {
            if (Integer.bitCount(size) != 1) {
                throw new IllegalArgumentException("size must be a power of two: " + size);
            }
            this.slots = new Entry<?>[size];
            this.make = make;
        }

        /** The value for {@code t}'s stack ({@code t} just made by the caller), or null if its backtrace cannot be read. */
        @SuppressWarnings("unchecked")
        public V get(Throwable t) {
            if (BACKTRACE == null) {
                return null;
            }
            Object bt = BACKTRACE.get(t);
            int depth = (int) DEPTH.get(t);
            if (!(bt instanceof Object[] first) || depth <= 0) {
                return null;
            }
            // Hash (method id, bci, class) per frame over the chunks, in place: HotSpot's layout is
            // [short[] methods, int[] bcis, Object[] classes, ..., next chunk, ...]. Only a miss
            // copies the frames out.
            int n = 0;
            int hash = 1;
            for (Object[] chunk = first; chunk != null && n < depth; chunk = next(chunk)) {
                if (chunk.length < 3 || !(chunk[0] instanceof short[] m) || !(chunk[1] instanceof int[] b)
                        || !(chunk[2] instanceof Object[] c)) {
                    return null;
                }
                int k = Math.min(m.length, depth - n);
                if (b.length < k || c.length < k) {
                    return null;
                }
                for (int i = 0; i < k; i++, n++) {
                    hash = 31 * (31 * (31 * hash + m[i]) + b[i]) + System.identityHashCode(c[i]);
                }
            }
            if (n != depth) {
                return null;
            }
            int slot = (hash ^ (hash >>> 16)) & (slots.length - 1);
            Entry<V> e = (Entry<V>) slots[slot];
            if (e != null && e.hash == hash && e.methods.length == depth && sameFrames(e, first, depth)) {
                return e.value;
            }
            short[] methods = new short[depth];
            int[] bcis = new int[depth];
            Object[] classes = new Object[depth];
            n = 0;
            for (Object[] chunk = first; chunk != null && n < depth; chunk = next(chunk)) {
                int k = Math.min(((short[]) chunk[0]).length, depth - n);
                System.arraycopy(chunk[0], 0, methods, n, k);
                System.arraycopy(chunk[1], 0, bcis, n, k);
                System.arraycopy(chunk[2], 0, classes, n, k);
                n += k;
            }
            V v = make.apply(t.getStackTrace());
            slots[slot] = new Entry<>(hash, methods, bcis, classes, v);
            return v;
        }

        /** True if the backtrace starting at {@code first} holds exactly {@code e}'s frames. */
        private static boolean sameFrames(Entry<?> e, Object[] first, int depth) {
            int n = 0;
            for (Object[] chunk = first; chunk != null && n < depth; chunk = next(chunk)) {
                short[] m = (short[]) chunk[0];
                int[] b = (int[]) chunk[1];
                Object[] c = (Object[]) chunk[2];
                int k = Math.min(m.length, depth - n);
                for (int i = 0; i < k; i++, n++) {
                    if (m[i] != e.methods[n] || b[i] != e.bcis[n] || c[i] != e.classes[n]) {
                        return false;
                    }
                }
            }
            return n == depth;
        }
    }

    /** The backtrace chunk after {@code chunk}, or null. */
    private static Object[] next(Object[] chunk) {
        for (int i = 3; i < chunk.length; i++) {
            if (chunk[i] instanceof Object[] o && o.length == chunk.length && o != chunk) {
                return o;
            }
        }
        return null;
    }
}
