package dev.loomtracer.testing;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleReference;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

/**
 * What a module exports a module-path program can use: the public methods, constructors, fields and
 * record components of its exported types, listed where they take or return a type the program
 * cannot read (a public type of a package the module does not export to everyone), which compiles
 * for the module and fails for its users.
 */
public final class ExportedApi {
    private ExportedApi() {}

    /**
     * Fails, naming each place, unless the exported API of the module of {@code anchor}, which must be
     * the named module {@code name} (the tests run on the module path), mentions only readable types.
     */
    public static void assertOnlyReadableTypes(Class<?> anchor, String name) throws Exception {
        Module m = anchor.getModule();
        if (!name.equals(m.getName())) {
            throw new AssertionError(anchor + " is in " + m + ", not the named module " + name + ": run on the module path");
        }
        List<String> wrong = unreadableTypes(m);
        if (!wrong.isEmpty()) {
            throw new AssertionError("exported API of " + name + " mentions types a module-path program cannot use:\n"
                    + String.join("\n", wrong));
        }
    }

    /** Each place the exported API of {@code module} (a named module) mentions an unreadable type; empty if none. */
    public static List<String> unreadableTypes(Module module) throws Exception {
        if (!module.isNamed()) {
            throw new IllegalArgumentException("not a named module: run on the module path");
        }
        List<String> wrong = new ArrayList<>();
        ModuleReference ref = module.getLayer().configuration().findModule(module.getName()).orElseThrow().reference();
        for (ModuleDescriptor.Exports e : module.getDescriptor().exports()) {
            if (e.isQualified()) {
                continue;
            }
            List<String> classes = classesIn(ref, e.source());
            if (classes.isEmpty()) {
                throw new IllegalStateException("no classes found in exported package " + e.source());
            }
            for (String cls : classes) {
                Class<?> c = Class.forName(cls, false, module.getClassLoader());
                if (!Modifier.isPublic(c.getModifiers()) || (c.getEnclosingClass() != null && !isPublicChain(c))) {
                    continue;
                }
                for (Method m : c.getMethods()) {
                    if (m.getDeclaringClass().getModule() != module) {
                        continue;
                    }
                    check(wrong, c.getName() + "." + m.getName() + " returns", m.getReturnType());
                    for (Class<?> p : m.getParameterTypes()) {
                        check(wrong, c.getName() + "." + m.getName() + " takes", p);
                    }
                }
                for (var k : c.getConstructors()) {
                    for (Class<?> p : k.getParameterTypes()) {
                        check(wrong, c.getName() + "'s constructor takes", p);
                    }
                }
                for (var f : c.getFields()) {
                    if (f.getDeclaringClass().getModule() == module) {
                        check(wrong, c.getName() + "." + f.getName() + " is", f.getType());
                    }
                }
                if (c.isRecord()) {
                    for (RecordComponent rc : c.getRecordComponents()) {
                        check(wrong, c.getName() + "." + rc.getName() + " is", rc.getType());
                    }
                }
            }
        }
        return wrong;
    }

    private static boolean isPublicChain(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    private static void check(List<String> wrong, String where, Class<?> t) {
        while (t.isArray()) {
            t = t.getComponentType();
        }
        if (t.isPrimitive()) {
            return;
        }
        if (!isPublicChain(t) || !t.getModule().isExported(t.getPackageName())) {
            wrong.add(where + " " + t.getName());
        }
    }

    private static List<String> classesIn(ModuleReference ref, String pkg) throws Exception {
        List<String> out = new ArrayList<>();
        String dir = pkg.replace('.', '/') + "/";
        try (var reader = ref.open()) {
            reader.list().filter(n -> n.startsWith(dir) && n.endsWith(".class") && n.indexOf('/', dir.length()) < 0 && !n.contains("-"))
                    .forEach(n -> out.add(n.substring(0, n.length() - ".class".length()).replace('/', '.')));
        }
        return out;
    }
}
