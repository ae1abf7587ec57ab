package dev.loomtracer.jfr;

import dev.loomtracer.LoomTrace;
import dev.loomtracer.jfr.convert.JfrConverter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * This module's tests run on the module path, patched into {@code dev.loomtracer.jfr} (surefire
 * does that when it can read module-info.class: the root pom's ASM 9.8), with loom-tracer as the
 * module {@code dev.loomtracer}: what they prove holds for the declared modules, not for the
 * class path, where surefire falls back quietly if it cannot read the descriptor.
 */
class OnTheModulePathTest {
    @Test
    void theTestsRunInTheDeclaredModulesWithTheirExports() {
        Module self = getClass().getModule();
        assertEquals("dev.loomtracer.jfr", self.getName(), "the tests are patched into jfr-bridge's module");
        assertEquals(self, JfrConverter.class.getModule());
        assertFalse(self.getDescriptor().isAutomatic(), "declared by module-info.java, not an automatic module");
        Module engine = LoomTrace.class.getModule();
        assertEquals("dev.loomtracer", engine.getName(), "loom-tracer is on the module path too");
        assertTrue(engine.isExported("dev.loomtracer.engine", self), "the writer is exported to the bridge");
        assertFalse(engine.isExported("dev.loomtracer.engine"), "and to nobody else");
    }
}
