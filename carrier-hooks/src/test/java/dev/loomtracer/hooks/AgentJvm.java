package dev.loomtracer.hooks;

import dev.loomtracer.engine.Tracer;
import dev.loomtracer.hooks.agent.Agent;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Runs a main class in a new JVM under the agent, as a user would: {@code java -javaagent:JAR=...}
 * and no other tracer option. The agent jar is assembled here from this module's classes and the
 * engine's, with the engine's resources (the HTML report's page) and HdrHistogram (the same content
 * and manifest as the shaded {@code -agent} jar the build attaches, which only exists after the
 * package phase).
 */
final class AgentJvm {
    private AgentJvm() {}

    private static Path jar;

    record Run(int exitCode, String output) {}

    static synchronized Path agentJar() {
        if (jar != null) {
            return jar;
        }
        try {
            Path out = TestFiles.dir("agent").resolve("loomtrace-agent.jar");
            Manifest mf = new Manifest();
            Attributes a = mf.getMainAttributes();
            a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
            a.putValue("Premain-Class", Agent.class.getName());
            a.putValue("Agent-Class", Agent.class.getName());
            a.putValue("Can-Retransform-Classes", "true");
            a.putValue("Can-Redefine-Classes", "true");
            Set<String> seen = new HashSet<>();
            try (JarOutputStream jos = new JarOutputStream(Files.newOutputStream(out), mf)) {
                seen.add(JarFile.MANIFEST_NAME);
                add(jos, codeSource(Agent.class), seen);
                add(jos, codeSource(Tracer.class), seen);
                // As in the shaded agent jar: the analyses' HdrHistogram (unrelocated here).
                add(jos, codeSource(org.HdrHistogram.Histogram.class), seen);
            }
            jar = out;
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path codeSource(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void add(JarOutputStream jos, Path source, Set<String> seen) throws IOException {
        if (Files.isDirectory(source)) {
            Files.walkFileTree(source, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    String name = source.relativize(f).toString().replace('\\', '/');
                    if ((name.endsWith(".class") || name.startsWith("dev/loomtracer/report/")) && seen.add(name)) {
                        jos.putNextEntry(new JarEntry(name));
                        Files.copy(f, jos);
                        jos.closeEntry();
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } else {
            try (JarInputStream in = new JarInputStream(Files.newInputStream(source))) {
                for (JarEntry e; (e = in.getNextJarEntry()) != null; ) {
                    if (e.getName().endsWith(".class") && seen.add(e.getName())) {
                        jos.putNextEntry(new JarEntry(e.getName()));
                        in.transferTo(jos);
                        jos.closeEntry();
                    }
                }
            }
        }
    }

    private static Path patch;

    /** The instrumented JDK classes for a patched java.base, built once from this JDK. */
    static synchronized Path patchDir() {
        if (patch == null) {
            patch = dev.loomtracer.hooks.agent.PatchedJdk.build(Path.of(System.getProperty("java.home")),
                    TestFiles.dir("patch").resolve("java.base"));
        }
        return patch;
    }

    /** Runs {@code mainClass} with this test's class path under the agent with {@code agentArgs}. */
    static Run run(String agentArgs, List<String> jvmOptions, String mainClass, String... args) throws Exception {
        List<String> opts = new ArrayList<>(jvmOptions);
        opts.add("-javaagent:" + agentJar() + (agentArgs == null || agentArgs.isEmpty() ? "" : "=" + agentArgs));
        return runJava(opts, mainClass, args);
    }

    /** Runs {@code mainClass} with no agent, java.base patched with the instrumented classes. */
    static Run runPatched(String captureOptions, String mainClass, String... args) throws Exception {
        return runPatched(captureOptions, List.of(), mainClass, args);
    }

    /** The same, with more JVM options. */
    static Run runPatched(String captureOptions, List<String> jvmOptions, String mainClass, String... args) throws Exception {
        List<String> opts = new ArrayList<>(dev.loomtracer.hooks.agent.PatchedJdk.jvmOptions(patchDir(), agentJar(), captureOptions));
        opts.addAll(jvmOptions);
        return runJava(opts, mainClass, args);
    }

    /** Runs {@code mainClass} with this test's class path and no agent (a program that loads one itself). */
    static Run runJava(List<String> jvmOptions, String mainClass, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-Xmx1g");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Process p = pb.start();
        byte[] out;
        try (var in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the JVM under the agent did not finish: " + cmd);
        }
        return new Run(p.exitValue(), new String(out));
    }

    static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes());
    }
}
