package dev.loomtracer.jfr;

import dev.loomtracer.jfr.convert.JfrConverter;
import dev.loomtracer.testing.ExportedApi;
import org.junit.jupiter.api.Test;

/**
 * What the bridge exports a module-path program can use: no exported type takes or returns a type of
 * a package the program cannot read (the episode model, the framing), which would compile for the
 * bridge and fail for its users ({@link ExportedApi}).
 */
class ExportedApiTest {
    @Test
    void exportedTypesOnlyMentionReadableTypes() throws Exception {
        ExportedApi.assertOnlyReadableTypes(JfrConverter.class, "dev.loomtracer.jfr");
    }
}
