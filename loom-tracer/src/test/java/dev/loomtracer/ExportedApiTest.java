package dev.loomtracer;

import dev.loomtracer.testing.ExportedApi;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the tracer exports a module-path program can use: no type of the documented API (docs/API.md)
 * takes or returns a type of a package it does not export to everyone (the engine, the format),
 * which would compile for the tracer and fail for its users ({@link ExportedApi}).
 */
class ExportedApiTest {
    @Test
    void exportedTypesOnlyMentionReadableTypes() throws Exception {
        Module self = LoomTrace.class.getModule();
        assertEquals("dev.loomtracer", self.getName(), "run on the module path");
        List<String> wrong = ExportedApi.unreadableTypes(self);
        assertTrue(wrong.isEmpty(), "exported API mentions types a module-path program cannot use:\n" + String.join("\n", wrong));
    }
}
