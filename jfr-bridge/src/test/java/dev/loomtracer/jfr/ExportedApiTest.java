package dev.loomtracer.jfr;

import dev.loomtracer.jfr.convert.JfrConverter;
import org.junit.jupiter.api.Test;

import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the bridge exports a module-path program can use: no public method, constructor or record
 * component of an exported type takes or returns a type of a package the program cannot read (the
 * episode model, the framing), which would compile for the bridge and fail for its users.
 */
class ExportedApiTest {
    @Test
    void exportedTypesOnlyMentionReadableTypes() throws Exception {
        Module self = JfrConverter.class.getModule();
        assertEquals("dev.loomtracer.jfr", self.getName(), "run on the module path (OnTheModulePathTest)");
        List<String> wrong = new ArrayList<>();
        for (ModuleDescriptor.Exports e : self.getDescriptor().exports()) {
            if (e.isQualified()) {
                continue;
            }
            for (String cls : classesIn(self, e.source())) {
                Class<?> c = Class.forName(cls, false, getClass().getClassLoader());
                if (!Modifier.isPublic(c.getModifiers())) {
                    continue;
                }
                for (Method m : c.getMethods()) {
                    if (m.getDeclaringClass().getModule() != self) {
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
                if (c.isRecord()) {
                    for (RecordComponent rc : c.getRecordComponents()) {
                        check(wrong, c.getName() + "." + rc.getName() + " is", rc.getType());
                    }
                }
            }
        }
        assertTrue(wrong.isEmpty(), "exported API mentions types a module-path program cannot use:\n" + String.join("\n", wrong));
    }

    private static void check(List<String> wrong, String where, Class<?> t) {
        while (t.isArray()) {
            t = t.getComponentType();
        }
        if (t.isPrimitive()) {
            return;
        }
        Module m = t.getModule();
        boolean readable = Modifier.isPublic(t.getModifiers()) && (m.isExported(t.getPackageName()));
        if (!readable) {
            wrong.add(where + " " + t.getName());
        }
    }

    /** The classes of {@code pkg} in {@code module}, from its resources. */
    private static List<String> classesIn(Module module, String pkg) throws Exception {
        List<String> out = new ArrayList<>();
        var ref = module.getLayer().configuration().findModule(module.getName()).orElseThrow().reference();
        try (var reader = ref.open()) {
            String dir = pkg.replace('.', '/') + "/";
            reader.list().filter(n -> n.startsWith(dir) && n.endsWith(".class") && n.indexOf('/', dir.length()) < 0
                            && !n.contains("-"))
                    .forEach(n -> out.add(n.substring(0, n.length() - ".class".length()).replace('/', '.')));
        }
        assertTrue(!out.isEmpty(), "classes of " + pkg);
        return out;
    }
}
