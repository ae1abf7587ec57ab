package dev.loomtracer.stress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a Java main class in a child JVM with this JVM's class path and the tracer's JVM flags. */
final class ChildJvm {
    private ChildJvm() {}

    record Result(int exitCode, String output) {}

    static List<String> tracerFlags() {
        String flags = System.getProperty("loomtracer.jvmFlags");
        if (flags == null || flags.isBlank()) {
            throw new AssertionError("system property loomtracer.jvmFlags is not set (surefire passes the root pom's property)");
        }
        return Arrays.asList(flags.trim().split("\\s+"));
    }

    static Result run(Path workDir, Path log, long timeoutMinutes, List<String> jvmOptions, String mainClass, List<String> args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        Files.createDirectories(workDir);
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(mainClass + " did not finish in " + timeoutMinutes + " minutes; log " + log);
        }
        return new Result(p.exitValue(), Files.readString(log));
    }
}
