package dev.loomtracer.dist;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A child JVM a test talks to line by line: commands on its stdin, answers on its stdout (each
 * line kept), stderr into a file. The JVM is this test's JDK; {@link #JAR} is dist/loomtrace.jar.
 */
final class Jvm implements AutoCloseable {
    static final Path JAR = Path.of(System.getProperty("loomtrace.jar", "loomtrace.jar")).toAbsolutePath();
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    static final String TEST_CLASSES = Path.of(System.getProperty("user.dir"), "target", "test-classes").toString();
    /** Liveness guard for one answer: a child that says nothing for this long has hung (not a timing). */
    static final long GUARD_SECONDS = 120;

    final Process process;
    final Path stderr;
    private final BufferedReader out;
    private final Writer in;
    final List<String> lines = new ArrayList<>();

    private Jvm(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /** Starts {@code java <jvmArgs> -cp test-classes <main>}. */
    static Jvm start(Path dir, List<String> jvmArgs, String main) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(JAVA);
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(TEST_CLASSES);
        cmd.add(main);
        return start(dir, cmd);
    }

    static Jvm start(Path dir, List<String> cmd) throws IOException {
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(err.toFile()).start();
        return new Jvm(p, err);
    }

    long pid() {
        return process.pid();
    }

    /** The next line of stdout (fails if the child ends first). */
    String line() throws IOException {
        String l = out.readLine();
        assertNotNull(l, "the child ended without answering; stderr:\n" + stderrText());
        lines.add(l);
        return l;
    }

    /** Reads lines until one starts with {@code prefix}; returns it. */
    String lineStartingWith(String prefix) throws IOException {
        for (;;) {
            String l = line();
            if (l.startsWith(prefix)) {
                return l;
            }
        }
    }

    void send(String command) throws IOException {
        in.write(command + "\n");
        in.flush();
    }

    /** Waits for the exit (liveness guard), reads the rest of stdout; returns the exit code. */
    int exit() throws IOException, InterruptedException {
        in.close();
        for (String l; (l = out.readLine()) != null; ) {
            lines.add(l);
        }
        if (!process.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the child did not exit within " + GUARD_SECONDS + " s; stderr:\n" + stderrText());
        }
        return process.exitValue();
    }

    String stderrText() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    /** Runs a command to its end; returns exit code, stdout and stderr. */
    record Result(int code, String out, String err) {
        Result expect(int want) {
            assertEquals(want, code, "exit code; stdout:\n" + out + "\nstderr:\n" + err);
            return this;
        }
    }

    static Result run(Path dir, List<String> cmd) throws IOException, InterruptedException {
        Path o = Files.createTempFile(dir, "out", ".txt");
        Path e = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(o.toFile()).redirectError(e.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!p.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish within " + GUARD_SECONDS + " s");
        }
        return new Result(p.exitValue(), Files.readString(o), Files.readString(e));
    }

    /** {@code java -jar <the jar in dir> args...}, run in {@code dir}. */
    static Result loomtrace(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "-jar", dir.resolve("loomtrace.jar").toString()));
        cmd.addAll(List.of(args));
        return run(dir, cmd);
    }

    /** A new empty directory holding a copy of dist/loomtrace.jar and nothing else. */
    static Path emptyDirWithJar(String name) throws IOException {
        Path dir = Path.of(System.getProperty("user.dir"), "target", "jar-tests", name);
        if (Files.exists(dir)) {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir);
        Files.copy(JAR, dir.resolve("loomtrace.jar"));
        return dir;
    }
}
