package dev.loomtracer.hooks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;

/** Many short-lived virtual threads: each yields once, sleeps once, and ends. Records their ids. */
final class FanOut {
    private FanOut() {}

    static final int THREADS = 10_000;

    static List<Long> run(ThreadFactory vts, int n) throws Exception {
        List<Future<Long>> fs = new ArrayList<>(n);
        try (ExecutorService ex = Executors.newThreadPerTaskExecutor(vts)) {
            for (int i = 0; i < n; i++) {
                fs.add(ex.submit(() -> {
                    Thread.yield();
                    Thread.sleep(1);
                    return Thread.currentThread().threadId();
                }));
            }
        }
        List<Long> ids = new ArrayList<>(n);
        for (Future<Long> f : fs) {
            ids.add(f.get());
        }
        return ids;
    }

    /**
     * The agent path: {@code java -javaagent:...=output=TRACE FanOut IDS_FILE [JVM_ARGS_FILE]}; the
     * optional second file receives this JVM's input arguments, one a line.
     */
    public static void main(String[] args) throws Exception {
        List<Long> ids = run(Thread.ofVirtual().factory(), THREADS);
        Files.write(Path.of(args[0]), ids.stream().map(String::valueOf).toList());
        if (args.length > 1) {
            Files.write(Path.of(args[1]), java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        }
    }

    static List<Long> readIds(Path file) throws Exception {
        return Files.readAllLines(file).stream().map(Long::parseLong).toList();
    }

    /**
     * Every one of the {@link #THREADS} threads was created and ended once, yielded once, slept
     * once; returns a one-line summary. A child that recorded fewer ids fails here.
     */
    /** Each thread's {@code Thread.sleep(1)}, with its length, on both capture paths. */
    static final String SLEEP_REASON = dev.loomtracer.format.BlockReasons.timed(dev.loomtracer.format.BlockReasons.SLEEP, 1_000_000);

    static String check(List<Long> ids, GoroutineFacts f) {
        if (ids.size() != THREADS || ids.stream().distinct().count() != THREADS) {
            throw new AssertionError("expected the ids of " + THREADS + " distinct threads, got " + ids.size()
                    + " (" + ids.stream().distinct().count() + " distinct)");
        }
        List<String> problems = new ArrayList<>();
        for (long id : ids) {
            GoroutineFacts.G g = f.get(id);
            if (g.creates != 1 || g.destroys != 1 || g.stops.getOrDefault("yield", 0) != 1
                    || g.blocks.size() != 1 || !SLEEP_REASON.equals(g.blocks.get(0).reason)
                    || g.blocks.get(0).unblocker == Long.MIN_VALUE) {
                problems.add(g.toString());
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(problems.size() + " of " + ids.size() + " threads are not traced as created, "
                    + "yielded, slept, woken and ended once, e.g. " + problems.subList(0, Math.min(5, problems.size())));
        }
        return ids.size() + " threads, " + f.trace.events.size() + " events, " + f.trace.generations() + " generations";
    }
}
