package dev.loomtracer.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The browser harness can tell a broken page from a good one: it reports an uncaught exception, a
 * console.error and a failed resource load, reports none on a clean page, reads the rendered DOM
 * and writes a PNG. (Without these, "no console errors" in the report's tests would prove nothing.)
 */
class ChromiumTest {
    private static Chromium browser;

    @BeforeAll
    static void start() throws Exception {
        browser = Chromium.launch();
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void reportsScriptErrorsAndFailedLoads(@TempDir Path dir) throws Exception {
        Path page = dir.resolve("broken.html");
        Files.writeString(page, """
                <!DOCTYPE html><html><body><p id="p">before</p>
                <img src="missing.png">
                <script>console.error('told ' + 'on purpose');</script>
                <script>document.getElementById('p').textContent = 'after'; undefinedFunction();</script>
                </body></html>""");
        Chromium.Page p = browser.open(page, 800, 600);
        List<String> errors = p.errors();
        assertTrue(errors.stream().anyMatch(e -> e.contains("undefinedFunction")), errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e.contains("told on purpose")), errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e.contains("missing.png")), errors.toString());
        assertEquals("after", p.eval("document.getElementById('p').textContent"));
    }

    @Test
    void cleanPageHasNoErrorsAndScreenshots(@TempDir Path dir) throws Exception {
        Path page = dir.resolve("clean.html");
        Files.writeString(page, """
                <!DOCTYPE html><html><body><div id="box" style="width:120px;height:80px;background:#3a9d5d"></div>
                <script>document.body.setAttribute('data-n', String(6 * 7));</script></body></html>""");
        Chromium.Page p = browser.open(page, 800, 600);
        assertEquals(List.of(), p.errors());
        assertEquals("42", p.eval("document.body.getAttribute('data-n')"));
        assertEquals(List.of(page.toUri().toString()), p.requests());
        Path png = dir.resolve("box.png");
        p.screenshot("#box", png);
        byte[] b = Files.readAllBytes(png);
        assertTrue(b.length > 8 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G', "not a PNG");
        // IHDR width and height: the element's box.
        assertEquals(120, java.nio.ByteBuffer.wrap(b, 16, 4).getInt());
        assertEquals(80, java.nio.ByteBuffer.wrap(b, 20, 4).getInt());
    }
}
