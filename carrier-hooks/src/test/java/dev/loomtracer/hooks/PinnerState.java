package dev.loomtracer.hooks;

import java.util.concurrent.atomic.AtomicInteger;

/** Parks begun in {@link Pinner}'s initializer (kept outside Pinner: touching Pinner would wait for its initialization). */
public final class PinnerState {
    public static final AtomicInteger PARKS = new AtomicInteger();
    /** How often Pinner's initializer parks (a constant: reading it does not initialize Pinner). */
    public static final int PINNER_PARKS = Pinner.PARKS;

    private static final String PINNER = "dev.loomtracer.hooks.Pinner";

    private PinnerState() {}

    /** A not yet initialized copy of this class, in a loader of its own. */
    static Class<?> freshPinner() throws Exception {
        byte[] bytes;
        try (var in = PinnerState.class.getResourceAsStream("Pinner.class")) {
            bytes = in.readAllBytes();
        }
        ClassLoader l = new ClassLoader(PinnerState.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.equals(PINNER)) {
                    synchronized (getClassLoadingLock(name)) {
                        Class<?> c = findLoadedClass(name);
                        return c != null ? c : defineClass(name, bytes, 0, bytes.length);
                    }
                }
                return super.loadClass(name, resolve);
            }
        };
        return Class.forName(PINNER, false, l);
    }

}
