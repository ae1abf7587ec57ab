package dev.loomtracer.engine;

import jdk.internal.access.JavaLangAccess;
import jdk.internal.access.SharedSecrets;

/**
 * The carrier under the current thread: the thread an M is named after.
 *
 * <p>Invariant: {@link #current()} is the platform thread executing right now — the carrier when
 * a virtual thread is mounted, the thread itself otherwise. Kept apart from {@link Tracer} so a
 * JVM without the needed export fails in {@link JdkAccess#check()} with a clear message, not in a
 * class initializer.
 */
final class CarrierThreads {
    private CarrierThreads() {}

    private static final JavaLangAccess JLA = SharedSecrets.getJavaLangAccess();

    static Thread current() {
        return JLA.currentCarrierThread();
    }
}
