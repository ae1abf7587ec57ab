package dev.loomtracer.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.jfr.convert.JfrConverter;
import dev.loomtracer.jfr.jmc.JmcAnalysis;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Any valid trace converts, not only ours: the Go-made traces of the parser's fixtures (real Go
 * runtime traces with GC, CPU samples, syscalls, and Go's golden ordering cases) convert with the
 * counts the mapping implies, and the JDK and JMC read them.
 */
class GoFixturesTest {
    static final Path FIXTURES = Path.of("..", "loom-tracer", "src", "test", "resources", "go-traces");

    @TempDir
    Path dir;

    static Stream<Path> validFixtures() throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(FIXTURES)) {
            all = s.filter(p -> p.toString().endsWith(".trace")).sorted().toList();
        }
        return all.stream().filter(p -> {
            Path expect = p.resolveSibling(p.getFileName().toString().replace(".trace", ".expect"));
            try {
                return !Files.exists(expect) || Files.readString(expect).startsWith("SUCCESS");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("validFixtures")
    void goTraceConverts(Path trace) throws Exception {
        Map<String, Long> expected = Expected.counts(trace);
        Path jfr = dir.resolve(trace.getFileName() + ".jfr");
        JfrConverter.Result r = JfrConverter.convert(trace, jfr, JfrConverter.Options.defaults());
        assertEquals(expected, r.eventCounts(), trace.toString());
        assertEquals(expected, Readers.recordingFile(jfr, ConverterTest.OURS), trace.toString());
        Readers.Run print = Readers.jfrTool("print", jfr.toString());
        assertEquals(0, print.exit(), print.stderr());
        Map<String, Long> jmc = new TreeMap<>(JmcAnalysis.countByType(JmcAnalysis.load(jfr)));
        jmc.keySet().removeIf(ConverterTest.OURS.negate());
        jmc.values().removeIf(v -> v == 0);
        assertEquals(expected, jmc, trace.toString());
    }

    @org.junit.jupiter.api.Test
    void theRealGoTracesHaveSchedulingAndSamples() throws Exception {
        Map<String, Long> basic = Expected.counts(FIXTURES.resolve("basic.trace"));
        assertTrue(basic.getOrDefault("dev.loomtracer.VirtualThreadRun", 0L) > 0, basic.toString());
        Map<String, Long> cpu = Expected.counts(FIXTURES.resolve("cpu.trace"));
        assertTrue(cpu.getOrDefault("jdk.ExecutionSample", 0L) > 0, cpu.toString());
    }
}
