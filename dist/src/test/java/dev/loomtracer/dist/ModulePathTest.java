package dev.loomtracer.dist;

import dev.loomtracer.LoomTrace;
import dev.loomtracer.hooks.TracingScheduler;
import dev.loomtracer.jfr.Readers;
import dev.loomtracer.jfr.live.JfrBridge;
import dev.loomtracer.testing.CheckedTrace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's module declaration (loom-tracer's module-info.java), seen from a program on the
 * module path: a small program compiled and run against the built loom-tracer jar uses the public
 * API (a streamed trace with a task, a region and a log, read back with the parser and the
 * analyses) and cannot reach the engine: javac refuses to compile an import of
 * {@code dev.loomtracer.engine}, and reflection is refused at run time. The JDK-internal exports
 * go to the module ({@code =dev.loomtracer}); given to {@code ALL-UNNAMED}, as on the class path,
 * {@code start} says which options it needs. jfr-bridge's declaration likewise: a program converts
 * its trace to {@code .jfr} through {@code dev.loomtracer.jfr.convert}, the JDK's {@code jfr} tool
 * reads the file, and the bridge's internals refuse reflection. docs/API.md, "On the module path".
 */
class ModulePathTest {
    /** The packages docs/API.md, FORMAT.md ("Parser API") and REPORT.md document for programs. */
    static final Set<String> PUBLIC = Set.of("dev.loomtracer", "dev.loomtracer.analysis", "dev.loomtracer.debug",
            "dev.loomtracer.parse", "dev.loomtracer.report", "dev.loomtracer.trigger");

    static final String MAIN = """
            package app;

            import dev.loomtracer.LoomTrace;
            import dev.loomtracer.Region;
            import dev.loomtracer.Task;
            import dev.loomtracer.TraceOptions;
            import dev.loomtracer.TraceResult;
            import dev.loomtracer.analysis.Analysis;
            import dev.loomtracer.analysis.AnalysisOptions;
            import dev.loomtracer.analysis.AnalysisResult;
            import dev.loomtracer.parse.TraceSummary;

            import java.io.OutputStream;
            import java.nio.file.Files;
            import java.nio.file.Path;

            public class Main {
                public static void main(String[] args) throws Exception {
                    Path file = Path.of(args[0]);
                    try (OutputStream out = Files.newOutputStream(file)) {
                        try {
                            LoomTrace.start(out, TraceOptions.defaults().stacks(TraceOptions.Stacks.ON_BLOCK));
                        } catch (IllegalStateException e) {
                            System.out.println("cannot start: " + e.getMessage());
                            System.exit(3);
                        }
                        for (int i = 0; i < 3; i++) {
                            try (Task task = Task.begin("order")) {
                                try (Region r = task.region("load")) {
                                    task.log("item", "n" + i);
                                }
                            }
                        }
                        TraceResult r = LoomTrace.stop();
                        System.out.println("complete " + r.complete() + " bytes " + r.bytes());
                    }
                    TraceSummary s = TraceSummary.of(file);
                    System.out.println("events " + s.events() + " tasks " + s.countsByType().get("UserTaskBegin")
                            + " regions " + s.countsByType().get("UserRegionBegin") + " logs " + s.countsByType().get("UserLog"));
                    AnalysisResult a = Analysis.of(file, AnalysisOptions.defaults());
                    System.out.println("analysed generations " + a.trace().generations());
                    try {
                        Object t = Class.forName("dev.loomtracer.engine.Tracer").getField("GLOBAL").get(null);
                        System.out.println("engine reachable: " + t);
                    } catch (IllegalAccessException e) {
                        System.out.println("engine refused: " + e.getMessage());
                    }
                }
            }
            """;

    /** The packages of jfr-bridge that docs/JFR.md names entry points in. */
    static final Set<String> JFR_PUBLIC = Set.of("dev.loomtracer.jfr.convert", "dev.loomtracer.jfr.imports",
            "dev.loomtracer.jfr.live");

    /**
     * A program that traces four tasks, each with a region and a log, and converts the trace to
     * {@code .jfr} with jfr-bridge's public API; it requires dev.loomtracer.jfr alone (which requires
     * dev.loomtracer transitively) and tries to reach the bridge's episode model by reflection.
     */
    static final String CONVERT = """
            package conv;

            import dev.loomtracer.LoomTrace;
            import dev.loomtracer.Region;
            import dev.loomtracer.Task;
            import dev.loomtracer.jfr.convert.JfrConverter;
import dev.loomtracer.jfr.live.JfrBridge;

            import java.io.OutputStream;
            import java.nio.file.Files;
            import java.nio.file.Path;
            import java.util.TreeMap;

            public class Main {
                public static void main(String[] args) throws Exception {
                    Path trace = Path.of(args[0]);
                    try (OutputStream out = Files.newOutputStream(trace)) {
                        LoomTrace.start(out);
                        for (int i = 0; i < 4; i++) {
                            try (Task task = Task.begin("order"); Region r = task.region("load")) {
                                task.log("item", "n" + i);
                            }
                        }
                        LoomTrace.stop();
                    }
                    JfrConverter.Result r = JfrConverter.convert(trace, Path.of(args[1]), JfrConverter.Options.defaults());
                    System.out.println("converted " + new TreeMap<>(r.eventCounts()));
                    // The bundled settings file, a resource of the named module.
                    System.out.println("settings " + JfrBridge.settings().getSettings().size());
                    try {
                        Object b = Class.forName("dev.loomtracer.jfr.model.ModelEpisodes").getMethod("blockerOf", String.class)
                                .invoke(null, "sync: park ReentrantLock$NonfairSync");
                        System.out.println("internals reachable: " + b);
                    } catch (IllegalAccessException e) {
                        System.out.println("internals refused: " + e.getMessage());
                    }
                }
            }
            """;

    /** A program that runs 20 sleeping virtual threads on carrier-hooks' tracing scheduler. */
    static final String CAPTURE = """
            package cap;

            import dev.loomtracer.LoomTrace;
            import dev.loomtracer.hooks.TracingScheduler;

            import java.io.OutputStream;
            import java.nio.file.Files;
            import java.nio.file.Path;
            import java.util.concurrent.ExecutorService;

            public class Main {
                public static void main(String[] args) throws Exception {
                    try (OutputStream out = Files.newOutputStream(Path.of(args[0]))) {
                        LoomTrace.start(out);
                        try (TracingScheduler s = TracingScheduler.create(); ExecutorService ex = s.newThreadPerTaskExecutor()) {
                            for (int i = 0; i < 20; i++) {
                                ex.submit(() -> {
                                    Thread.sleep(5);
                                    return null;
                                });
                            }
                        }
                        System.out.println("complete " + LoomTrace.stop().complete());
                    }
                }
            }
            """;

    /** AgentCopy's warning (loom-tracer). */
    static final String AGENT_WARNING = "Loom Tracer: the agent is loaded and its hooks feed the tracer on the boot class path,"
            + " not this one";

    @TempDir
    Path dir;

    @Test
    void theModuleExportsThePublicApiToAllAndTheWriterOnlyToCaptureAndBridge() throws Exception {
        Path jar = jar(LoomTrace.class);
        ModuleDescriptor d = ModuleFinder.of(jar).find("dev.loomtracer").orElseThrow(
                () -> new AssertionError("no module dev.loomtracer in " + jar)).descriptor();
        Set<String> open = new TreeSet<>();
        Map<String, Set<String>> qualified = new TreeMap<>();
        for (ModuleDescriptor.Exports e : d.exports()) {
            if (e.isQualified()) {
                qualified.put(e.source(), new TreeSet<>(e.targets()));
            } else {
                open.add(e.source());
            }
        }
        assertEquals(new TreeSet<>(PUBLIC), open, "packages exported to every module");
        Set<String> writers = Set.of("dev.loomtracer.hooks", "dev.loomtracer.jfr");
        assertEquals(writers, qualified.get("dev.loomtracer.engine"), "who may write traces");
        assertEquals(writers, qualified.get("dev.loomtracer.format"), "who may frame the wire format");
        assertTrue(d.opens().isEmpty(), "nothing is open to reflection: " + d.opens());

        // The modules those exports name: carrier-hooks declares itself, jfr-bridge's jar carries its name.
        ModuleDescriptor hooks = ModuleFinder.of(jar(TracingScheduler.class)).find("dev.loomtracer.hooks").orElseThrow()
                .descriptor();
        assertEquals(Set.of("dev.loomtracer.hooks"), hooks.exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet()), "a program gets the tracing scheduler; the agent and commands stay inside");

        // jfr-bridge declares itself too: its documented entry points to all, nothing qualified, nothing open.
        ModuleDescriptor jfr = ModuleFinder.of(jar(JfrBridge.class)).find("dev.loomtracer.jfr").orElseThrow().descriptor();
        assertFalse(jfr.isAutomatic(), "jfr-bridge has a module-info.class");
        assertEquals(new TreeSet<>(JFR_PUBLIC), jfr.exports().stream().map(e -> {
            assertFalse(e.isQualified(), e.toString());
            return e.source();
        }).collect(Collectors.toCollection(TreeSet::new)), "jfr-bridge's packages exported to every module");
        assertTrue(jfr.opens().isEmpty(), "nothing of the bridge is open to reflection: " + jfr.opens());
        assertEquals(List.of("org.openjdk.jmc.flightrecorder.rules.IRule: dev.loomtracer.jfr.jmc.LongestParkRule,"
                + " dev.loomtracer.jfr.jmc.LongestPinnedRule"), jfr.provides().stream()
                .map(p -> p.service() + ": " + String.join(", ", p.providers())).toList(), "the rules JMC's RuleRegistry loads");
    }

    @Test
    void aProgramOnTheModulePathUsesThePublicApiAndCannotReachTheEngine() throws Exception {
        String modulePath = modulePath();
        Path classes = compiledApp(modulePath);

        Path trace = dir.resolve("app.trace");
        Jvm.Result run = Jvm.run(dir, java(classes + File.pathSeparator + modulePath, "dev.loomtracer", trace)).expect(0);
        CheckedTrace checked = CheckedTrace.of(trace); // the project's validator and Go's parser
        String out = run.out();
        assertTrue(out.contains("complete true bytes " + Files.size(trace) + "\n"), out);
        // What the program read with the parser on the module path is what the judges read.
        Matcher m = Pattern.compile("events (\\d+) tasks (\\d+) regions (\\d+) logs (\\d+)").matcher(out);
        assertTrue(m.find(), out);
        assertEquals(checked.count(e -> !e.isSync()), Long.parseLong(m.group(1)),
                "events (the sync events that open generations apart)");
        assertEquals(checked.count("UserTaskBegin"), Long.parseLong(m.group(2)), "tasks");
        assertEquals(checked.count("UserRegionBegin"), Long.parseLong(m.group(3)), "regions");
        assertEquals(checked.count("UserLog"), Long.parseLong(m.group(4)), "logs");
        assertEquals(3, checked.count("UserTaskBegin"));
        assertEquals(3, checked.count("UserRegionBegin"));
        assertEquals(3, checked.count(e -> e.typeName().equals("UserLog") && "item".equals(e.name())), "the program's logs");
        assertTrue(out.contains("analysed generations " + checked.generations()), out);
        assertTrue(out.contains("engine refused: class app.Main (in module app) cannot access class dev.loomtracer.engine.Tracer"
                + " (in module dev.loomtracer) because module dev.loomtracer does not export dev.loomtracer.engine to module app"),
                "reflection cannot reach the engine:\n" + out);
        assertFalse(out.contains("engine reachable"), out);
        assertFalse(run.err().contains(AGENT_WARNING), run.err());
    }

    @Test
    void withTheAgentAProgramOnTheModulePathIsToldThatItsTracerIsNotTheOneTheHooksFeed() throws Exception {
        String modulePath = modulePath();
        Path classes = compiledApp(modulePath);
        Path trace = dir.resolve("agent.trace");
        List<String> cmd = java(classes + File.pathSeparator + modulePath, "dev.loomtracer", trace);
        cmd.add(1, "-javaagent:" + Jvm.JAR);
        Jvm.Result run = Jvm.run(dir, cmd).expect(0);
        CheckedTrace checked = CheckedTrace.of(trace);
        assertTrue(run.err().contains(AGENT_WARNING + " (module dev.loomtracer)"), run.err());
        assertEquals(3, checked.count("UserTaskBegin"), "the program's own annotations are traced");
    }

    @Test
    void theCaptureModuleWritesThroughTheEngineOnTheModulePath() throws Exception {
        String modulePath = modulePath() + File.pathSeparator + jar(TracingScheduler.class);
        Path trace = dir.resolve("cap.trace");
        List<String> cmd = compiledProgram("cap", "requires dev.loomtracer; requires dev.loomtracer.hooks;", CAPTURE, modulePath,
                "dev.loomtracer,dev.loomtracer.hooks", trace);
        cmd.add(1, "--add-opens=java.base/java.lang=dev.loomtracer.hooks"); // the tracing scheduler's (CAPTURE.md)
        Jvm.Result run = Jvm.run(dir, cmd).expect(0);
        assertTrue(run.out().contains("complete true"), run.out() + run.err());
        CheckedTrace checked = CheckedTrace.of(trace);
        // Each thread's sleep, told by dev.loomtracer.hooks through the engine's writer, exported to it alone.
        assertEquals(20, checked.count(e -> e.typeName().equals("GoBlock") && e.reason().startsWith("sleep")),
                "the sleeps the tracing scheduler told");
    }

    @Test
    void aProgramOnTheModulePathConvertsItsTraceToJfrAndCannotReachTheBridgesInternals() throws Exception {
        String modulePath = String.join(File.pathSeparator, modulePath(), jar(JfrBridge.class).toString(),
                jar(org.openjdk.jmc.common.IDisplayable.class).toString(),
                jar(org.openjdk.jmc.flightrecorder.JfrLoaderToolkit.class).toString(),
                jar(org.openjdk.jmc.flightrecorder.rules.IRule.class).toString(),
                jar(org.openjdk.jmc.flightrecorder.rules.jdk.general.DumpReasonRule.class).toString(),
                jar(org.openjdk.jmc.flightrecorder.writer.api.Recordings.class).toString(),
                jar(org.owasp.encoder.Encode.class).toString(), jar(net.jpountz.lz4.LZ4FrameInputStream.class).toString());
        Path trace = dir.resolve("conv.trace");
        Path jfr = dir.resolve("conv.jfr");
        // dev.loomtracer.jfr alone: the tracer's API comes with it (requires transitive).
        List<String> cmd = compiledProgram("conv", "requires dev.loomtracer.jfr;", CONVERT, modulePath, "dev.loomtracer", trace);
        cmd.add(jfr.toString());
        Jvm.Result run = Jvm.run(dir, cmd).expect(0);
        String out = run.out();
        CheckedTrace checked = CheckedTrace.of(trace);

        // The JDK's jfr tool reads the file: a task and a region event per task and region of the
        // trace, and the counts the converter reported to the program.
        Map<String, Long> read = Readers.jfrSummary(jfr, t -> t.startsWith("dev.loomtracer."));
        assertEquals(4, checked.count("UserTaskBegin"));
        assertEquals(checked.count("UserTaskBegin"), read.get("dev.loomtracer.Task"), "tasks: " + read);
        assertEquals(checked.count("UserRegionBegin"), read.get("dev.loomtracer.Region"), "regions: " + read);
        assertEquals(checked.count("UserLog"), read.get("dev.loomtracer.Log"), "logs: " + read);
        assertTrue(out.contains("converted " + read + "\n"), "the converter's counts are what jfr reads:\n" + out + read);
        assertTrue(out.matches("(?s).*settings [1-9]\\d*\n.*"), out);
        assertTrue(out.contains("internals refused: class conv.Main (in module conv) cannot access class"
                + " dev.loomtracer.jfr.model.ModelEpisodes (in module dev.loomtracer.jfr) because module dev.loomtracer.jfr"
                + " does not export dev.loomtracer.jfr.model to module conv"), "reflection cannot reach the bridge's model:\n" + out);
        assertFalse(out.contains("internals reachable"), out);
    }

    @Test
    void anImportOfTheEngineDoesNotCompileOnTheModulePath() throws Exception {
        Path bad = source("bad", "bad.Writer", """
                package bad;

                import dev.loomtracer.engine.Tracer;

                public class Writer {
                    public static long generation() {
                        return Tracer.GLOBAL.generation();
                    }
                }
                """);
        List<Diagnostic<? extends JavaFileObject>> errors = compile(bad, dir.resolve("bad-classes"), modulePath());
        String messages = errors.stream().map(e -> e.getMessage(null)).collect(Collectors.joining("\n"));
        assertTrue(messages.contains("package dev.loomtracer.engine is not visible"), messages);
        assertTrue(messages.contains("(package dev.loomtracer.engine is declared in module dev.loomtracer, which does not export it"
                + " to module bad)"), messages);
    }

    @Test
    void theJdkExportsGoToTheModuleAndStartNamesThemWhenTheyAreMissingOnEitherPath() throws Exception {
        String modulePath = modulePath();
        Path classes = compiledApp(modulePath);
        // The class path's flags (=ALL-UNNAMED) do not reach a named module.
        Jvm.Result run = Jvm.run(dir, java(classes + File.pathSeparator + modulePath, "ALL-UNNAMED", dir.resolve("no.trace")))
                .expect(3);
        assertTrue(run.out().contains("cannot start: Loom Tracer needs access to jdk.internal.misc: start the JVM with"
                + " --add-exports java.base/jdk.internal.misc=dev.loomtracer --add-exports java.base/jdk.internal.vm=dev.loomtracer"
                + " --add-exports java.base/jdk.internal.access=dev.loomtracer"), run.out());

        // The same program on the class path without the flags: the options name ALL-UNNAMED there.
        Jvm.Result cp = Jvm.run(dir, List.of(Jvm.JAVA, "-cp", classes + File.pathSeparator + modulePath, "app.Main",
                dir.resolve("no-cp.trace").toString())).expect(3);
        assertTrue(cp.out().contains("cannot start: Loom Tracer needs access to jdk.internal.misc: start the JVM with"
                + " --add-exports java.base/jdk.internal.misc=ALL-UNNAMED --add-exports java.base/jdk.internal.vm=ALL-UNNAMED"
                + " --add-exports java.base/jdk.internal.access=ALL-UNNAMED"), cp.out() + cp.err());
    }

    /** The built loom-tracer jar (its classes directory when only the test phase ran) and HdrHistogram's jar. */
    static String modulePath() throws URISyntaxException {
        return jar(LoomTrace.class) + File.pathSeparator + jar(org.HdrHistogram.Histogram.class);
    }

    static Path jar(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** The program {@link #MAIN}, module {@code app}, compiled against the public API: its classes. */
    private Path compiledApp(String modulePath) throws Exception {
        Path classes = dir.resolve("app-classes");
        List<Diagnostic<? extends JavaFileObject>> errors = compile(source("app", "app.Main", MAIN), classes, modulePath);
        assertTrue(errors.isEmpty(), "the program compiles against the public API: " + errors);
        return classes;
    }

    /**
     * The program {@code text} (class {@code module.Main}) in a module {@code module} whose
     * declaration holds {@code requires}, compiled against {@code modulePath}: the command that runs
     * it on the module path, the JDK-internal exports given to {@code exportsTo}, {@code trace} its argument.
     */
    private List<String> compiledProgram(String module, String requires, String text, String modulePath, String exportsTo,
            Path trace) throws Exception {
        Path src = source(module, module + ".Main", text);
        Files.writeString(src.resolve("module-info.java"), "module " + module + " { " + requires + " }\n");
        Path classes = dir.resolve(module + "-classes");
        List<Diagnostic<? extends JavaFileObject>> errors = compile(src, classes, modulePath);
        assertTrue(errors.isEmpty(), errors.toString());
        List<String> cmd = java(classes + File.pathSeparator + modulePath, exportsTo, trace);
        cmd.set(cmd.indexOf("app/app.Main"), module + "/" + module + ".Main");
        return cmd;
    }

    /** A module named {@code module} that requires dev.loomtracer, holding one class. */
    private Path source(String module, String className, String text) throws Exception {
        Path root = dir.resolve(module + "-src");
        Path file = root.resolve(className.replace('.', '/') + ".java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        Files.writeString(root.resolve("module-info.java"), "module " + module + " { requires dev.loomtracer; }\n");
        return root;
    }

    private static List<Diagnostic<? extends JavaFileObject>> compile(Path src, Path out, String modulePath) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<Path> files;
        try (var s = Files.walk(src)) {
            files = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, null)) {
            // An empty class path: javac's default is this test JVM's, which holds the same classes unnamed.
            Path none = Files.createDirectories(out.resolveSibling(out.getFileName() + "-empty-class-path"));
            List<String> options = List.of("-d", out.toString(), "--module-path", modulePath, "--class-path", none.toString());
            javac.getTask(null, fm, diagnostics, options, null, fm.getJavaFileObjectsFromPaths(files)).call();
        }
        List<Diagnostic<? extends JavaFileObject>> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                errors.add(d);
            }
        }
        return errors;
    }

    /** {@code java --module-path ... -m app/app.Main trace}, with the JDK-internal exports given to {@code target}. */
    private static List<String> java(String modulePath, String target, Path trace) {
        List<String> cmd = new ArrayList<>(List.of(Jvm.JAVA, "--module-path", modulePath));
        for (String pkg : List.of("jdk.internal.misc", "jdk.internal.vm", "jdk.internal.access")) {
            cmd.addAll(List.of("--add-exports", "java.base/" + pkg + "=" + target));
        }
        cmd.addAll(List.of("-m", "app/app.Main", trace.toString()));
        return cmd;
    }
}
