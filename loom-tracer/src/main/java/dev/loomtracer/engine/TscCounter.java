package dev.loomtracer.engine;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU's time-stamp counter, the source Go's tracer reads ({@code cputicks}): about half the
 * cost of {@code System.nanoTime()} on the machines this project measures, and every event pays
 * one read.
 *
 * <p>Invariant: {@link #AVAILABLE} is true only where the counter is a clock the operating
 * system itself trusts: x86-64 Linux whose current clocksource is {@code tsc} (the kernel picks
 * it only when the counter is invariant and synchronized across CPUs), native access granted to
 * this code (so no warning is ever printed for it), and the routine built without error. Then
 * {@link #read()} returns the counter, ordered after the caller's earlier loads ({@code rdtscp}
 * waits for them, as the kernel's own {@code rdtsc_ordered} does), so a writer that read the
 * generation before the clock never stamps an event earlier than the generation switch. Anywhere
 * else {@link #AVAILABLE} is false and the trace clock uses {@code System.nanoTime()}. The
 * system property {@code loomtrace.clock=nanotime} forces the fallback.
 */
final class TscCounter {
    private TscCounter() {}

    /** rdtscp; shl rdx, 32; or rax, rdx; ret. */
    private static final byte[] RDTSCP = {
        0x0F, 0x01, (byte) 0xF9,
        0x48, (byte) 0xC1, (byte) 0xE2, 0x20,
        0x48, 0x09, (byte) 0xD0,
        (byte) 0xC3,
    };
    private static final int PROT_READ_WRITE = 0x3;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x22;
    private static final int PROT_READ_EXEC = 0x5;

    /** Why the counter is not used, or null when it is. */
    static final String UNAVAILABLE_REASON;
    static final boolean AVAILABLE;
    private static final MethodHandle READ;

    static {
        MethodHandle read = null;
        String why;
        try {
            why = unusableBecause();
            if (why == null) {
                read = build();
                long a = (long) read.invokeExact();
                long b = (long) read.invokeExact();
                if (a <= 0 || b < a) {
                    why = "the time-stamp counter read back " + a + " then " + b;
                    read = null;
                }
            }
        } catch (Throwable e) {
            why = "the counter routine could not be built: " + e;
            read = null;
        }
        READ = read;
        AVAILABLE = read != null;
        UNAVAILABLE_REASON = why;
    }

    /** The counter. Call only when {@link #AVAILABLE}. */
    static long read() {
        try {
            return (long) READ.invokeExact();
        } catch (Throwable e) {
            throw new AssertionError(e); // the routine cannot throw
        }
    }

    private static String unusableBecause() {
        if ("nanotime".equals(System.getProperty("loomtrace.clock"))) {
            return "loomtrace.clock=nanotime";
        }
        String arch = System.getProperty("os.arch");
        if (!System.getProperty("os.name").equals("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return "not x86-64 Linux";
        }
        if (!TscCounter.class.getModule().isNativeAccessEnabled()) {
            return "native access is not enabled (--enable-native-access=ALL-UNNAMED)";
        }
        try {
            String source = Files.readString(Path.of("/sys/devices/system/clocksource/clocksource0/current_clocksource")).trim();
            if (!source.equals("tsc")) {
                return "the kernel's clocksource is " + source + ", not tsc";
            }
        } catch (IOException | RuntimeException e) {
            return "the kernel's clocksource is unknown (" + e.getMessage() + ")";
        }
        return null;
    }

    private static MethodHandle build() throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle mmap = linker.downcallHandle(linker.defaultLookup().find("mmap").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
        MethodHandle mprotect = linker.downcallHandle(linker.defaultLookup().find("mprotect").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        long page = 4096;
        MemorySegment code = (MemorySegment) mmap.invokeExact(MemorySegment.NULL, page, PROT_READ_WRITE,
                MAP_PRIVATE_ANONYMOUS, -1, 0L);
        if (code.address() == -1L || code.address() == 0L) {
            throw new IllegalStateException("mmap failed");
        }
        code = code.reinterpret(page);
        MemorySegment.copy(RDTSCP, 0, code, ValueLayout.JAVA_BYTE, 0, RDTSCP.length);
        // Writable, then executable: never both (W^X), so hardened kernels accept it.
        if ((int) mprotect.invokeExact(code, page, PROT_READ_EXEC) != 0) {
            throw new IllegalStateException("mprotect failed");
        }
        // Never unmapped: the routine lives as long as the JVM.
        return linker.downcallHandle(code, FunctionDescriptor.of(ValueLayout.JAVA_LONG), Linker.Option.critical(false));
    }
}
