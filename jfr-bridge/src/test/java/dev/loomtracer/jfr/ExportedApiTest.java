package dev.loomtracer.jfr;

import dev.loomtracer.jfr.convert.JfrConverter;
import dev.loomtracer.testing.ExportedApi;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the bridge exports a module-path program can use: no exported type takes or returns a type of
 * a package the program cannot read (the episode model, the framing), which would compile for the
 * bridge and fail for its users ({@link ExportedApi}).
 */
class ExportedApiTest {
    @Test
    void exportedTypesOnlyMentionReadableTypes() throws Exception {
        Module self = JfrConverter.class.getModule();
        assertEquals("dev.loomtracer.jfr", self.getName(), "run on the module path (OnTheModulePathTest)");
        List<String> wrong = ExportedApi.unreadableTypes(self);
        assertTrue(wrong.isEmpty(), "exported API mentions types a module-path program cannot use:\n" + String.join("\n", wrong));
    }
}
