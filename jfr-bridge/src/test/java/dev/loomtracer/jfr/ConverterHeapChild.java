package dev.loomtracer.jfr;

import dev.loomtracer.jfr.convert.JfrConverter;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The child JVM of {@link ConverterMemoryTest}: converts a trace and, after every generation
 * (the converter's progress callback, on the converting thread), measures the live heap: a full
 * collection, then the heap pools' usage after it by the collector's own account (exact: code
 * cache and metaspace are not heap, and nothing else allocates meanwhile). Prints one line
 * {@code live <generation> <bytes>} per generation (growth over the heap before the conversion)
 * and a last line {@code converted <generations> <chunks> <jfrEvents>}.
 */
public final class ConverterHeapChild {
    private ConverterHeapChild() {}

    public static void main(String[] args) throws Exception {
        Path trace = Path.of(args[0]);
        long chunkEvents = Long.parseLong(args[1]);
        long base = liveHeap();
        List<String> lines = new ArrayList<>();
        JfrConverter.Result r = JfrConverter.convert(trace, Path.of(args[2]), JfrConverter.Options.defaults()
                .withChunkEvents(chunkEvents).withStart(0L)
                .withProgress(p -> lines.add("live " + p.generation() + " " + (liveHeap() - base))));
        lines.forEach(System.out::println);
        System.out.println("converted " + r.generations() + " " + r.chunks() + " " + r.jfrEvents());
    }

    /** Live heap bytes right after a full collection. */
    static long liveHeap() {
        System.gc();
        long newest = -1;
        long live = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            var info = ((com.sun.management.GarbageCollectorMXBean) gc).getLastGcInfo();
            if (info == null || info.getEndTime() < newest) {
                continue;
            }
            newest = info.getEndTime();
            live = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                var u = pool.getType() == MemoryType.HEAP ? info.getMemoryUsageAfterGc().get(pool.getName()) : null;
                live += u == null ? 0 : u.getUsed();
            }
        }
        return live;
    }
}
