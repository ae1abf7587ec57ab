package dev.loomtracer.engine;

/**
 * Widens a race window in a broken control, so that a bounded CI run reliably shows the
 * forbidden outcome the harness must detect. Never used by a test of the real protocol: a real
 * test runs the product code unchanged.
 */
final class Spin {
    private Spin() {}

    static void widen() {
        for (int i = 0; i < 64; i++) {
            Thread.onSpinWait();
        }
    }
}
