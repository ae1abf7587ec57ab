package dev.loomtracer.dist;

import dev.loomtracer.testing.CheckedTrace;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * dist/loomtrace.jar alone in an empty directory, with nothing but this JDK: its commands run
 * ({@code help}, {@code run}, {@code validate}, {@code analyze}, {@code to-jfr}; {@link AttachTest} runs
 * {@code attach} and {@code list} the same way), and it is the agent too.
 */
class JarTest {
    @Test
    void runsItsCommandsFromAnEmptyDirectory() throws Exception {
        Path dir = Jvm.emptyDirWithJar("jar");
        Jvm.Result help = Jvm.loomtrace(dir, "help").expect(0);
        for (String c : List.of("validate", "summary", "analyze", "run", "attach", "list", "to-jfr")) {
            assertTrue(help.out().contains("\n  " + c + " "), "help lists " + c + ":\n" + help.out());
        }
        assertTrue(!help.out().contains("example-server"), "commands whose classes the jar leaves out are not listed");
        Jvm.loomtrace(dir, "no-such-command").expect(2);

        // run: the jar is its own agent (-javaagent:loomtrace.jar); the child does one round of virtual threads.
        Path input = dir.resolve("input.txt");
        Files.writeString(input, "round\n");
        Jvm.Result run = Jvm.run(dir, List.of("sh", "-c", "exec \"$0\" -jar loomtrace.jar run -o run.trace -- -cp \"$1\" "
                + AttachChild.class.getName() + " < input.txt", Jvm.JAVA, Jvm.TEST_CLASSES));
        run.expect(7);
        assertTrue(run.out().contains("round 1: 20 threads, 100 parks"), run.out());
        CheckedTrace.of(dir.resolve("run.trace"));

        Jvm.Result validate = Jvm.loomtrace(dir, "validate", "run.trace").expect(0);
        assertTrue(validate.out().contains("valid"), validate.out());
        Jvm.Result analyze = Jvm.loomtrace(dir, "analyze", "run.trace").expect(0);
        assertTrue(!analyze.out().isBlank(), "analyze prints its answer");
        Jvm.loomtrace(dir, "to-jfr", "run.trace", "-o", "run.jfr").expect(0);
        assertTrue(Files.size(dir.resolve("run.jfr")) > 0);
        Files.writeString(dir.resolve("bad.trace"), "not a trace");
        Jvm.loomtrace(dir, "validate", "bad.trace").expect(1);
    }

    @Test
    void itsManifestGivesJavaJarTheFlagsEveryTracerJvmGets() throws Exception {
        Attributes a;
        try (JarFile j = new JarFile(Jvm.JAR.toFile())) {
            a = j.getManifest().getMainAttributes();
        }
        assertEquals("dev.loomtracer.dist.Main", a.getValue("Main-Class"));
        assertEquals("dev.loomtracer.hooks.agent.Agent", a.getValue("Premain-Class"));
        assertEquals("dev.loomtracer.hooks.agent.Agent", a.getValue("Agent-Class"));
        List<String> exports = Arrays.asList(a.getValue("Add-Exports").split(" "));
        List<String> opens = Arrays.asList(a.getValue("Add-Opens").split(" "));
        String flags = System.getProperty("loomtracer.jvmFlags");
        assertTrue(flags != null && flags.contains("--add-exports"), "the root pom's loomtracer.jvmFlags: " + flags);
        String[] f = flags.split("\\s+");
        for (int i = 0; i < f.length; i++) {
            switch (f[i]) {
                case "--add-exports" -> assertTrue(exports.contains(f[++i].replace("=ALL-UNNAMED", "")), f[i] + " in " + exports);
                case "--add-opens" -> assertTrue(opens.contains(f[++i].replace("=ALL-UNNAMED", "")), f[i] + " in " + opens);
                case "--enable-native-access=ALL-UNNAMED" -> assertEquals("ALL-UNNAMED", a.getValue("Enable-Native-Access"));
                default -> throw new AssertionError("a JVM flag the manifest does not cover: " + f[i]);
            }
        }
    }
}
