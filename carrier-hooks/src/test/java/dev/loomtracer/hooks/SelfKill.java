package dev.loomtracer.hooks;

import dev.loomtracer.format.TracePrefix;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A program that is killed with SIGKILL while traced: it runs virtual threads until the agent
 * has written a complete generation to the trace file given as its argument (a batch of the next
 * one follows it), then kills itself.
 */
public final class SelfKill {
    public static void main(String[] args) throws Exception {
        Path trace = Path.of(args[0]);
        long spins = 0;
        while (!Files.exists(trace) || TracePrefix.complete(Files.readAllBytes(trace)) <= 16) { // 16: the header alone
            Thread.ofVirtual().start(() -> Thread.yield()).join();
            if (++spins > 5_000_000) {
                throw new AssertionError("liveness guard: no generation was written");
            }
        }
        new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).start().waitFor();
        throw new AssertionError("still alive after SIGKILL");
    }
}
