package dev.loomtracer.hooks.cli;

/** Test access to {@link Run#run} (which returns the status instead of exiting). */
public final class RunAccess {
    private RunAccess() {}

    public static int run(String... args) throws Exception {
        return Run.run(args);
    }
}
