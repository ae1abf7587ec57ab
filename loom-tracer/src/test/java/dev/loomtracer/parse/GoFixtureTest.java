package dev.loomtracer.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.format.EventType;
import dev.loomtracer.testing.GoJudge;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real traces written by the Go runtime, and Go's own parser test cases: our parser must accept
 * exactly what Go accepts, and see the same events as {@code go tool trace -d=1}.
 */
class GoFixtureTest {

    static Path resource(String name) {
        try {
            return Path.of(GoFixtureTest.class.getResource("/go-traces/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"basic.trace", "cpu.trace"})
    void runtimeTracesParseAndMatchGosEventCounts(String name) {
        Path file = resource(name);
        Parsed p = Parsed.of(file);
        assertNull(p.error(), () -> "rejected: " + p.error().getMessage());
        Map<String, Long> ours = GoJudge.countEvents(p.events());
        Map<String, Long> gos = GoJudge.countEvents(file);
        assertEquals(gos, ours, "events by kind/transition/reason, ours vs go tool trace -d=1");
        assertTrue(ours.getOrDefault("Sync", 0L) >= 1);
    }

    @Test
    void basicTraceHasWhatTheGoProgramDid() {
        Parsed p = Parsed.of(resource("basic.trace"));
        assertNull(p.error());
        assertTrue(p.syncs() >= 3, "the program spans several generations: " + p.syncs());
        Map<String, Long> types = new TreeMap<>();
        p.events().forEach(e -> types.merge(e.typeName(), 1L, Long::sum));
        for (String t : List.of("GoCreate", "GoStart", "GoBlock", "GoUnblock", "GoSyscallBegin", "GoSyscallEnd",
                "GoDestroy", "ProcStart", "ProcStop", "UserTaskBegin", "UserTaskEnd", "UserRegionBegin",
                "UserRegionEnd", "UserLog", "GCBegin", "GCEnd", "STWBegin", "STWEnd", "GoStatus", "ProcStatus")) {
            assertTrue(types.getOrDefault(t, 0L) > 0, "no " + t + " in " + types);
        }
        // Strings and stacks are resolved: the ponger region carries its name, logs their values.
        assertTrue(p.events().stream().anyMatch(e -> "ponger".equals(e.name())));
        assertTrue(p.events().stream().anyMatch(e -> "result".equals(e.name()) && e.message().startsWith("counter=")));
        TraceEvent block = p.events().stream().filter(e -> e.type() == EventType.GO_BLOCK && !e.stack().isEmpty())
                .findFirst().orElseThrow();
        assertFalse(block.stack().top().function().isEmpty());
        assertTrue(block.stack().top().line() > 0);
        // Times strictly increase.
        for (int i = 1; i < p.events().size(); i++) {
            assertTrue(p.events().get(i).time() > p.events().get(i - 1).time());
        }
    }

    @Test
    void cpuTraceHasStackSamples() {
        Parsed p = Parsed.of(resource("cpu.trace"));
        assertNull(p.error());
        long samples = p.events().stream().filter(e -> e.type() == EventType.CPU_SAMPLE).count();
        assertTrue(samples > 0);
        assertTrue(p.events().stream().filter(e -> e.type() == EventType.CPU_SAMPLE).anyMatch(e -> !e.stack().isEmpty()));
    }

    static Stream<String> goldenCases() throws IOException {
        try (Stream<Path> s = Files.list(resource("golden"))) {
            return s.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".trace"))
                    .map(n -> n.substring(0, n.length() - ".trace".length())).sorted().toList().stream();
        }
    }

    /** Go's parser test cases (src/internal/trace/testdata/tests): same verdict, same error, same events. */
    @ParameterizedTest
    @MethodSource("goldenCases")
    void goParserTestCases(String name) throws IOException {
        Path trace = resource("golden/" + name + ".trace");
        String expect = Files.readString(resource("golden/" + name + ".expect")).strip();
        Parsed p = Parsed.of(trace);
        if (expect.equals("SUCCESS")) {
            assertNull(p.error(), () -> name + " rejected: " + p.error().getMessage());
            assertEquals(GoJudge.countEvents(trace), GoJudge.countEvents(p.events()));
        } else {
            assertTrue(expect.startsWith("FAILURE \""), expect);
            String regex = expect.substring("FAILURE \"".length(), expect.length() - 1);
            assertNotNull(p.error(), name + " should be rejected");
            assertTrue(Pattern.compile(regex).matcher(p.error().getMessage()).find(),
                    "error " + p.error().getMessage() + " should match " + regex);
            assertTrue(p.error().getMessage().contains("generation 1"), p.error().getMessage());
            GoJudge.assertInvalid(trace);
        }
    }

    @Test
    void summaryAgreesWithGoOnBlockReasons() throws IOException {
        Path file = resource("basic.trace");
        TraceSummary s = TraceSummary.of(file);
        Map<String, Long> gos = GoJudge.countEvents(file);
        Map<String, Long> goBlock = new TreeMap<>();
        gos.forEach((k, v) -> {
            String prefix = "StateTransition Goroutine Running->Waiting";
            if (k.startsWith(prefix)) {
                goBlock.merge(k.length() > prefix.length() ? k.substring(prefix.length() + 1) : "", v, Long::sum);
            }
        });
        assertEquals(goBlock, s.blockReasons());
        assertEquals(gos.get("Sync"), s.generations());
        assertEquals(gos.values().stream().mapToLong(Long::longValue).sum() - s.generations(), s.events());
        assertEquals(s.events(), s.countsByType().values().stream().mapToLong(Long::longValue).sum());
        assertEquals(gos.getOrDefault("Log phase", 0L) + gos.getOrDefault("Log result", 0L), s.userLogs());
        assertEquals(Files.size(file), s.bytes());
        assertTrue(s.goroutines().size() > 10, s.toString());
        assertTrue(s.toString().matches("go 1\\.23 trace: \\d+ generation\\(s\\), \\d+ events, .*"), s.toString());
    }

    static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
