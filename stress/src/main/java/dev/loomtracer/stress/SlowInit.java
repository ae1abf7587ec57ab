package dev.loomtracer.stress;

import java.io.IOException;
import java.io.InputStream;

/**
 * A class whose static initializer blocks: a virtual thread that initializes it is pinned to its
 * carrier while it sleeps (class initialization pins on JDK 25). Each call defines a fresh copy
 * in a new class loader, so every call runs the initializer again.
 */
public final class SlowInit {
    static {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final byte[] BYTES;
    static {
        try (InputStream in = SlowInit.class.getResourceAsStream("SlowInit.class")) {
            BYTES = in.readAllBytes();
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static void initFreshCopy() {
        ClassLoader fresh = new ClassLoader(SlowInit.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.equals(SlowInit.class.getName())) {
                    synchronized (getClassLoadingLock(name)) {
                        Class<?> c = findLoadedClass(name);
                        if (c == null) {
                            c = defineClass(name, BYTES, 0, BYTES.length);
                        }
                        return c;
                    }
                }
                return super.loadClass(name, resolve);
            }
        };
        try {
            Class.forName(SlowInit.class.getName(), true, fresh);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
