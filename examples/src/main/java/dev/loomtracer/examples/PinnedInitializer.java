package dev.loomtracer.examples;

/**
 * The template of the class whose initializer the /pinned endpoint runs: {@link Pinning} defines
 * a fresh hidden copy of it per request, so every request runs this static initializer, and a
 * virtual thread that blocks inside a class initializer cannot unmount: it holds its carrier.
 */
final class PinnedInitializer {
    static {
        Pinning.insideInitializer();
    }

    private PinnedInitializer() {}
}
