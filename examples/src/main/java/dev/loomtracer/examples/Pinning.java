package dev.loomtracer.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.time.Duration;

/**
 * Pins the current virtual thread to its carrier while it sleeps: the sleep happens inside the
 * static initializer of a freshly defined hidden class. On JDK 25 a virtual thread blocked in a
 * class initializer does not unmount (the JVM's class-initialization lock is not Loom-aware), so
 * the carrier is held for the whole sleep. This is the kind of stall the tracer must expose.
 */
final class Pinning {
    private Pinning() {}

    private static final byte[] TEMPLATE = loadTemplate();
    private static final ThreadLocal<Duration> SLEEP = new ThreadLocal<>();

    /** Runs a class initializer that sleeps for {@code d} on the current thread. */
    static void sleepInsideClassInitializer(Duration d) {
        SLEEP.set(d);
        try {
            MethodHandles.lookup().defineHiddenClass(TEMPLATE, true); // true: initialize it now
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot define the pinned initializer class", e);
        } finally {
            SLEEP.remove();
        }
    }

    /** Called from {@link PinnedInitializer}'s static initializer. */
    static void insideInitializer() {
        Duration d = SLEEP.get();
        if (d == null) {
            return; // the template itself, initialized by someone else: nothing to do
        }
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] loadTemplate() {
        String res = PinnedInitializer.class.getSimpleName() + ".class";
        try (InputStream in = Pinning.class.getResourceAsStream(res)) {
            if (in == null) {
                throw new IllegalStateException("class file " + res + " not found next to " + Pinning.class.getName());
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
