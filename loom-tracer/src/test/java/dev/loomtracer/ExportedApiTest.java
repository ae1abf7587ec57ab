package dev.loomtracer;

import dev.loomtracer.testing.ExportedApi;
import org.junit.jupiter.api.Test;

/**
 * What the tracer exports a module-path program can use: no type of the documented API (docs/API.md)
 * takes or returns a type of a package it does not export to everyone (the engine, the format),
 * which would compile for the tracer and fail for its users ({@link ExportedApi}).
 */
class ExportedApiTest {
    @Test
    void exportedTypesOnlyMentionReadableTypes() throws Exception {
        ExportedApi.assertOnlyReadableTypes(LoomTrace.class, "dev.loomtracer");
    }
}
