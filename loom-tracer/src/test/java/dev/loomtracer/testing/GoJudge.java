package dev.loomtracer.testing;

import dev.loomtracer.judge.GoBinary;
import dev.loomtracer.parse.TraceEvent;
import dev.loomtracer.parse.Transition;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go's own trace parser as the judge of a trace: runs {@code go tool trace -d=1 FILE} (Go 1.23+),
 * which prints every parsed, ordered event ({@code Event.String()}, one "M=..." line each) and
 * exits 1 with the parse error on stderr for an invalid trace.
 *
 * <p>Invariant: the judge never skips. If no Go 1.23+ can be found (see {@link #go()}) every call
 * fails with an {@link AssertionError} saying so. Output goes to files, never to pipes, so a large
 * trace cannot deadlock the child.
 */
public final class GoJudge {
    private GoJudge() {}

    private static final long TIMEOUT_MINUTES = 10;
    private static volatile Path go;

    /** What {@code go tool trace -d=1} did with a trace: exit status, event lines, error text. */
    public record Verdict(int exitCode, Path stdout, String stderr) {
        public boolean valid() {
            return exitCode == 0;
        }

        /** The last lines of Go's error output and of its event output, for failure messages. */
        public String tail() {
            return "go tool trace -d=1 exited " + exitCode + "; stderr:\n" + tailOf(stderr, 30)
                    + "\nlast events:\n" + tailOf(readString(stdout), 8);
        }
    }

    /**
     * The go binary: {@link GoBinary#find}'s ($LOOMTRACE_GO, which is never passed over, else
     * {@code go} on the PATH, else /usr/lib/go-1.23/bin/go, each only if Go 1.23 or newer), else
     * what {@code scripts/ensure-go.sh} (repo root) installs and prints.
     */
    public static synchronized Path go() {
        if (go != null) {
            return go;
        }
        GoBinary.Lookup found = GoBinary.find();
        if (found.problem() != null) { // an explicit choice that cannot judge is an error, not a fallback
            throw new AssertionError(found.problem());
        }
        if (found.go().isPresent()) {
            return go = found.go().get();
        }
        List<String> tried = new ArrayList<>(found.tried());
        Path script = findUp("scripts/ensure-go.sh");
        if (script != null) {
            tried.add(script.toString());
            String printed = runForOutput(List.of("bash", script.toString()));
            String[] lines = printed.strip().split("\n");
            Path last = Path.of(lines[lines.length - 1].strip());
            if (!lines[lines.length - 1].isBlank() && Files.isExecutable(last) && GoBinary.isAtLeast123(last)) {
                return go = last;
            }
        } else {
            tried.add("scripts/ensure-go.sh (not found above " + Path.of("").toAbsolutePath() + ")");
        }
        throw new AssertionError("Go's trace parser (Go >= 1.23) is required to judge traces and none was found; tried: "
                + String.join(", ", tried) + ". Install golang-1.23-go (Debian bookworm-backports) or set LOOMTRACE_GO.");
    }

    /** What {@code goBin version} prints ("" if it does not run). */
    public static String version(Path goBin) {
        return GoBinary.version(goBin);
    }

    /** Fails, with the tail of Go's error output, unless Go's parser accepts the trace. */
    public static Verdict assertValid(Path trace) {
        Verdict v = judge(trace);
        if (!v.valid()) {
            throw new AssertionError("Go's parser rejects " + trace + ":\n" + v.tail());
        }
        return v;
    }

    /** Fails unless Go's parser rejects the trace; returns Go's error message. */
    public static String assertInvalid(Path trace) {
        Verdict v = judge(trace);
        if (v.valid()) {
            throw new AssertionError("Go's parser accepts " + trace + ", which should be invalid");
        }
        return v.stderr().strip();
    }

    /** Runs {@code go tool trace -d=1 trace}; output captured to files next to nothing shared. */
    public static Verdict judge(Path trace) {
        return tool("trace", "-d=1", trace.toAbsolutePath().toString());
    }

    /** Runs {@code go tool ARGS...} (e.g. {@code trace -pprof=sync FILE}, {@code pprof -raw FILE}); output to files. */
    public static Verdict tool(String... args) {
        Path goBin = go();
        try {
            Path dir = Files.createTempDirectory("gojudge");
            Path out = dir.resolve("stdout.txt");
            Path err = dir.resolve("stderr.txt");
            // The verdict hands out stdout as a file that callers read later, so it cannot go
            // here; it goes when the test JVM exits (deleted in reverse order of registration:
            // the files, then their directory). Without this every CI run left ~3,000 of these
            // directories, several GB, in the temporary directory.
            dir.toFile().deleteOnExit();
            out.toFile().deleteOnExit();
            err.toFile().deleteOnExit();
            List<String> cmd = new ArrayList<>(List.of(goBin.toString(), "tool"));
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().put("GOTOOLCHAIN", "local");
            pb.environment().putIfAbsent("GOCACHE", System.getProperty("java.io.tmpdir") + "/loomtrace-gocache");
            pb.environment().putIfAbsent("GOPATH", System.getProperty("java.io.tmpdir") + "/loomtrace-gopath");
            pb.environment().put("GOFLAGS", "-mod=mod");
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.redirectOutput(out.toFile());
            pb.redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("go tool " + String.join(" ", args) + " did not finish in " + TIMEOUT_MINUTES + " minutes");
            }
            return new Verdict(p.exitValue(), out, Files.readString(err));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + goBin + " tool " + String.join(" ", args) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running go tool " + String.join(" ", args), e);
        }
    }

    /**
     * Go's view of a valid trace as counts by {@link #key(TraceEvent) key}: kind plus what
     * distinguishes events of that kind (state transition, reason, range name, task/region type,
     * log category, metric name, label). Fails if Go rejects the trace.
     */
    public static Map<String, Long> countEvents(Path trace) {
        Verdict v = assertValid(trace);
        Map<String, Long> counts = new TreeMap<>();
        try (BufferedReader r = Files.newBufferedReader(v.stdout(), StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("M=")) {
                    counts.merge(keyOfGoLine(line), 1L, Long::sum);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return counts;
    }

    /** Counts of our parser's events by the same key as {@link #countEvents}. */
    public static Map<String, Long> countEvents(Iterable<TraceEvent> events) {
        Map<String, Long> counts = new TreeMap<>();
        for (TraceEvent e : events) {
            counts.merge(key(e), 1L, Long::sum);
        }
        return counts;
    }

    /** The key of one of our events, matching {@link #keyOfGoLine} for the same event. */
    public static String key(TraceEvent e) {
        String kind = e.kind();
        return switch (kind) {
            case "StateTransition" -> {
                Transition t = e.transition();
                String reason = e.reason() == null ? "" : e.reason();
                yield kind + " " + t.resource().goName() + " " + t.from().goName() + "->" + t.to().goName()
                        + (reason.isEmpty() ? "" : " " + reason);
            }
            case "RangeBegin", "RangeActive", "RangeEnd" -> kind + " " + e.rangeName();
            case "TaskBegin", "TaskEnd", "RegionBegin", "RegionEnd", "Log", "Label" -> kind + " " + e.name();
            case "Metric" -> kind + " " + switch (e.typeName()) {
                case "ProcsChange" -> "/sched/gomaxprocs:threads";
                case "HeapAlloc" -> "/memory/classes/heap/objects:bytes";
                default -> "/gc/heap/goal:bytes";
            };
            case "Experimental" -> kind + " " + e.typeName();
            default -> kind;
        };
    }

    private static final Pattern TRANSITION = Pattern.compile(
            " Resource=(\\w+)\\(-?\\d+\\) Reason=\"((?:[^\"\\\\]|\\\\.)*)\" (?:GoID|ProcID)=-?\\d+ (\\w+)->(\\w+)");

    /** The key of one "M=..." line of Go's {@code -d=1} output. */
    public static String keyOfGoLine(String line) {
        String[] f = line.split(" ", 6);
        String kind = f[3];
        return switch (kind) {
            case "StateTransition" -> {
                Matcher m = TRANSITION.matcher(line);
                if (!m.find()) {
                    throw new AssertionError("unexpected StateTransition line from Go: " + line);
                }
                String reason = unquote(m.group(2));
                yield kind + " " + m.group(1) + " " + m.group(3) + "->" + m.group(4)
                        + (reason.isEmpty() ? "" : " " + reason);
            }
            case "RangeBegin", "RangeActive", "RangeEnd", "Metric" -> kind + " " + quoted(line, "Name");
            case "TaskBegin", "TaskEnd", "RegionBegin", "RegionEnd" -> kind + " " + quoted(line, "Type");
            case "Log" -> kind + " " + quoted(line, "Category");
            case "Label" -> kind + " " + quoted(line, "Label");
            case "Experimental" -> {
                Matcher m = Pattern.compile(" Name=(\\S+)").matcher(line);
                yield kind + " " + (m.find() ? m.group(1) : "?");
            }
            default -> kind;
        };
    }

    private static String quoted(String line, String field) {
        Matcher m = Pattern.compile(" " + field + "=\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(line);
        if (!m.find()) {
            throw new AssertionError("no " + field + "=\"...\" in Go's line: " + line);
        }
        return unquote(m.group(1));
    }

    /** Undoes Go's strconv.Quote escapes (enough for trace strings). */
    static String unquote(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                flush(bytes, sb);
                sb.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'a' -> sb.append('\u0007');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'v' -> sb.append('\u000b');
                case 'x' -> {
                    bytes.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                case 'u' -> {
                    flush(bytes, sb);
                    sb.appendCodePoint(Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                case 'U' -> {
                    flush(bytes, sb);
                    sb.appendCodePoint(Integer.parseInt(s.substring(i + 1, i + 9), 16));
                    i += 8;
                }
                default -> {
                    flush(bytes, sb);
                    sb.append(n);
                }
            }
        }
        flush(bytes, sb);
        return sb.toString();
    }

    private static void flush(java.io.ByteArrayOutputStream bytes, StringBuilder sb) {
        if (bytes.size() > 0) {
            sb.append(bytes.toString(StandardCharsets.UTF_8));
            bytes.reset();
        }
    }

    // ---- plumbing ----

    private static Path findUp(String relative) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve(relative);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /** Runs a command with output to a file; returns its stdout ("" if it fails to run). */
    private static String runForOutput(List<String> cmd) {
        try {
            Path out = Files.createTempFile("gojudge", ".out");
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().put("GOTOOLCHAIN", "local");
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.redirectOutput(out.toFile());
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
            Process p = pb.start();
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return "";
            }
            String s = Files.readString(out);
            Files.deleteIfExists(out);
            return p.exitValue() == 0 ? s : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static String readString(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(cannot read " + p + ": " + e + ")";
        }
    }

    private static String tailOf(String s, int lines) {
        String[] all = s.split("\n");
        int from = Math.max(0, all.length - lines);
        return String.join("\n", java.util.Arrays.asList(all).subList(from, all.length));
    }
}
