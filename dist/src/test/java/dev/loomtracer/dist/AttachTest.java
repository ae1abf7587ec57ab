package dev.loomtracer.dist;

import dev.loomtracer.format.EventType;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.testing.CheckedTrace;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code loomtrace attach}, run as a user would: {@code java -jar loomtrace.jar} from a directory
 * holding nothing but the jar, against a plain child JVM (no agent, no option) running virtual
 * threads with counts it reports itself ({@link AttachChild}).
 */
class AttachTest {
    private static final String WORKER = AttachChild.Worker.class.getName() + ".run";
    private static final String REASON = dev.loomtracer.format.BlockReasons.parkOn("AttachChild$Gate");

    @Test
    void tracesARunningJvmTwiceAndLeavesItRunningAsBefore() throws Exception {
        Path dir = Jvm.emptyDirWithJar("attach");
        try (Jvm child = Jvm.start(dir, List.of(), AttachChild.class.getName())) {
            assertEquals("ready", child.line());
            child.send("round"); // before any attach: the lines it prints untraced
            assertEquals("round 1: 20 threads, 100 parks", child.line());

            // First attach, while the child runs a round once it sees the trace running; the
            // round's end, not a time, ends the trace: --stop once the child has printed it (so
            // every park of the round is in the trace however slow the machine).
            child.send("round-when-traced");
            java.util.concurrent.CompletableFuture<Jvm.Result> tracing = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return Jvm.loomtrace(dir, "attach", Long.toString(child.pid()), "--seconds", "600", "-o", "first.trace");
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            String round = child.line();
            assertEquals("round 2: 20 threads, 100 parks", round, "the child's own count");
            Jvm.loomtrace(dir, "attach", Long.toString(child.pid()), "--stop").expect(0);
            Jvm.Result first = tracing.get();
            first.expect(0);
            assertTrue(first.out().contains("wrote ") && first.out().contains("first.trace"), first.out());

            CheckedTrace t = CheckedTrace.of(dir.resolve("first.trace")); // both judges
            Map<Long, Integer> blocks = workerBlocks(t);
            assertEquals(AttachChild.THREADS, blocks.size(), "workers created in the trace: " + blocks);
            int total = 0;
            for (Map.Entry<Long, Integer> b : blocks.entrySet()) {
                assertEquals(AttachChild.PARKS, b.getValue(), "blocks '" + REASON + "' of G" + b.getKey());
                total += b.getValue();
            }
            assertEquals(100, total, "the trace's parks against the child's own count (" + round + ")");

            // Second attach: reuses the agent (no second instrumentation) and traces again.
            Jvm.Result second = Jvm.loomtrace(dir, "attach", Long.toString(child.pid()), "--seconds", "1", "-o", "second.trace");
            second.expect(0);
            assertFalse(second.err().contains("note: every Java agent"), "the hooks are installed once: " + second.err());
            assertTrue(first.err().contains("note: every Java agent"), "the first attach installs them: " + first.err());
            CheckedTrace.of(dir.resolve("second.trace"));

            // The flight recorder through attach: it holds the tracer until stopped; a snapshot is a complete trace.
            String pid = Long.toString(child.pid());
            assertTrue(Jvm.loomtrace(dir, "attach", pid, "--flight", "start", "--window", "10s/16MiB").expect(0).out()
                    .contains("flight recorder started"));
            Jvm.Result busy = Jvm.loomtrace(dir, "attach", pid, "--seconds", "1", "-o", "busy.trace").expect(1);
            assertTrue(busy.err().contains("a trace is already running: the flight recorder"), busy.err());
            assertFalse(Files.exists(dir.resolve("busy.trace")), "no file for a refused trace");
            Jvm.loomtrace(dir, "attach", pid, "--flight", "snapshot", "-o", "flight.trace").expect(0);
            CheckedTrace.of(dir.resolve("flight.trace"));
            Jvm.loomtrace(dir, "attach", pid, "--flight", "stop").expect(0);
            assertTrue(Jvm.loomtrace(dir, "attach", pid, "--stop").expect(1).err().contains("no trace is running"));

            Jvm.Result list = Jvm.loomtrace(dir, "list").expect(0);
            String row = list.out().lines().filter(l -> l.startsWith(child.pid() + " ")).findFirst().orElse("");
            assertTrue(row.contains("loaded; idle") && row.contains(AttachChild.class.getName()), list.out());

            child.send("round"); // after: untouched
            assertEquals("round 3: 20 threads, 100 parks", child.line());
            assertEquals(7, child.exit(), "the child's own exit status");
            assertEquals(List.of("ready", "round 1: 20 threads, 100 parks", "round 2: 20 threads, 100 parks",
                    "round 3: 20 threads, 100 parks", "bye"), child.lines, "the child's output, unchanged");
            for (String l : child.stderrText().lines().toList()) {
                assertTrue(l.startsWith("WARNING: ") || l.contains("Sharing is only supported for boot loader classes"),
                        "only the JVM's own warnings for a dynamically loaded agent (JEP 451, CDS), got: " + l);
            }
        }
    }

    /** Per worker G created in the trace: its blocks with the gate's reason. */
    private static Map<Long, Integer> workerBlocks(CheckedTrace t) {
        Set<Long> workers = new HashSet<>();
        Map<Long, Integer> blocks = new HashMap<>();
        for (TraceEvent e : t.events) {
            if (e.type() == EventType.GO_CREATE && !e.newStack().isEmpty() && e.newStack().top().function().equals(WORKER)) {
                workers.add(e.transition().id());
            }
        }
        for (TraceEvent e : t.events) {
            if (e.type() == EventType.GO_BLOCK && workers.contains(e.g())) {
                assertEquals(REASON, e.reason());
                blocks.merge(e.g(), 1, Integer::sum);
            }
        }
        for (Long g : workers) {
            blocks.putIfAbsent(g, 0);
        }
        return blocks;
    }

    @Test
    void aTargetThatExitsMidTraceLeavesACompleteTraceAndAClearError() throws Exception {
        Path dir = Jvm.emptyDirWithJar("attach-exit");
        try (Jvm child = Jvm.start(dir, List.of(), AttachChild.class.getName())) {
            assertEquals("ready", child.line());
            child.send("exit-when-traced");
            Jvm.Result r = Jvm.loomtrace(dir, "attach", Long.toString(child.pid()), "--seconds", "30", "-o", "exit.trace");
            r.expect(1);
            assertTrue(r.err().contains("exited during the trace"), r.err());
            assertEquals(5, child.exit());
            CheckedTrace.of(dir.resolve("exit.trace")); // complete up to the exit: both judges accept it
        }
    }

    @Test
    void eachTargetItCannotUseGetsItsMessage() throws Exception {
        Path dir = Jvm.emptyDirWithJar("attach-bad");
        // Not a JVM: refused before anything is sent to it (the Attach API's signal would kill it).
        Process sleeper = new ProcessBuilder("sleep", "120").start();
        try {
            Jvm.Result r = Jvm.loomtrace(dir, "attach", Long.toString(sleeper.pid()), "--seconds", "1", "-o", "x.trace").expect(1);
            assertTrue(r.err().contains("is not a Java VM"), r.err());
            assertTrue(sleeper.isAlive(), "the process is left alone");
        } finally {
            sleeper.destroyForcibly();
        }
        sleeper.waitFor();
        // No such process.
        Jvm.Result gone = Jvm.loomtrace(dir, "attach", Long.toString(sleeper.pid()), "--seconds", "1", "-o", "x.trace").expect(1);
        assertTrue(gone.err().contains("no process with pid " + sleeper.pid()), gone.err());
        // A JVM that forbids loading agents at run time: the option is named.
        try (Jvm locked = Jvm.start(dir, List.of("-XX:-EnableDynamicAgentLoading"), AttachChild.class.getName())) {
            assertEquals("ready", locked.line());
            Jvm.Result r = Jvm.loomtrace(dir, "attach", Long.toString(locked.pid()), "--seconds", "1", "-o", "x.trace").expect(1);
            assertTrue(r.err().contains("-XX:-EnableDynamicAgentLoading"), r.err());
            assertEquals(7, locked.exit());
        }
        // A JVM older than 25.
        Path oldJava = olderJava();
        Path src = dir.resolve("Old.java");
        Files.writeString(src, "public class Old { public static void main(String[] a) throws Exception {"
                + " System.out.println(\"ready\"); System.in.read(); } }");
        try (Jvm old = Jvm.start(dir, List.of(oldJava.toString(), src.toString()))) {
            assertEquals("ready", old.line());
            Jvm.Result r = Jvm.loomtrace(dir, "attach", Long.toString(old.pid()), "--seconds", "1", "-o", "x.trace").expect(1);
            assertTrue(r.err().contains("needs a JDK 25"), r.err());
            assertEquals(0, old.exit());
        }
        // Another user's JVM: as root, the tool runs as nobody against a root JVM; otherwise against
        // process 1 (root's).
        String user = another(dir);
        assertTrue(user.contains("runs as user") && user.contains("same user"), user);
        assertFalse(Files.exists(dir.resolve("x.trace")), "no file for a refused target");
    }

    private static String another(Path dir) throws Exception {
        boolean root = ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        if (!root) {
            return Jvm.loomtrace(dir, "attach", "1", "--seconds", "1", "-o", "x.trace").expect(1).err();
        }
        dir.toFile().setReadable(true, false);
        dir.toFile().setExecutable(true, false);
        dir.resolve("loomtrace.jar").toFile().setReadable(true, false);
        for (Path p = dir.getParent(); p != null; p = p.getParent()) {
            p.toFile().setExecutable(true, false); // nobody must reach the jar
        }
        try (Jvm target = Jvm.start(dir, List.of(), AttachChild.class.getName())) {
            assertEquals("ready", target.line());
            List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    Jvm.JAVA, "-jar", dir.resolve("loomtrace.jar").toString(), "attach", Long.toString(target.pid()),
                    "--seconds", "1", "-o", "/tmp/x.trace"));
            return Jvm.run(Path.of("/tmp"), cmd).expect(1).err();
        }
    }

    /** A JDK older than 25 on this machine (the default java here is 17). */
    private static Path olderJava() throws Exception {
        try (var s = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path jdk : s.sorted().toList()) {
                Path java = jdk.resolve("bin/java");
                Path release = jdk.resolve("release");
                if (Files.isExecutable(java) && Files.isReadable(release)) {
                    String v = Files.readString(release);
                    int i = v.indexOf("JAVA_VERSION=\"");
                    if (i >= 0) {
                        String num = v.substring(i + 14).split("[.\"]")[0];
                        if (Integer.parseInt(num) < 25 && Integer.parseInt(num) >= 11) {
                            return java;
                        }
                    }
                }
            }
        }
        throw new AssertionError("this test needs a JDK older than 25 (11 or newer) under /usr/lib/jvm, as a target "
                + "attach must refuse; the CI machine has JDK 17 (apt-get install openjdk-17-jdk-headless)");
    }
}
