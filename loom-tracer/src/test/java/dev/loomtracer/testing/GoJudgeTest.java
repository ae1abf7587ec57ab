package dev.loomtracer.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomtracer.judge.GoBinary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The judge itself: it accepts a real Go trace, rejects a damaged one, and reads Go's output. */
class GoJudgeTest {
    @TempDir
    Path dir;

    Path fixture() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/go-traces/cpu.trace")) {
            Path p = dir.resolve("cpu.trace");
            Files.write(p, in.readAllBytes());
            return p;
        }
    }

    /** The judge found is one that reads go 1.23 traces, whichever way it was found. */
    @Test
    void theJudgeIsGo123OrNewer() {
        String v = GoJudge.version(GoJudge.go());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("go version go1\\.(\\d+)").matcher(v);
        assertTrue(m.find() && Integer.parseInt(m.group(1)) >= 23, GoJudge.go() + " says: " + v);
    }

    /** The version check itself, on stand-ins that print what an older or newer Go prints. */
    @Test
    void anOlderGoIsNotAcceptedAsTheJudge() throws IOException {
        assertFalse(GoBinary.isAtLeast123(fakeGo("go version go1.22.5 linux/amd64")));
        assertFalse(GoBinary.isAtLeast123(fakeGo("go version go1.3 linux/amd64")));
        assertFalse(GoBinary.isAtLeast123(fakeGo("")));
        assertTrue(GoBinary.isAtLeast123(fakeGo("go version go1.23.4 linux/amd64")));
        assertTrue(GoBinary.isAtLeast123(fakeGo("go version go1.25.0 linux/amd64")));
    }

    private Path fakeGo(String says) throws IOException {
        Path p = Files.createTempFile(dir, "go", ".sh");
        Files.writeString(p, "#!/bin/sh\necho '" + says + "'\n");
        p.toFile().setExecutable(true);
        return p;
    }

    @Test
    void acceptsAValidTraceAndCountsItsEvents() throws IOException {
        Path f = fixture();
        assertTrue(GoJudge.assertValid(f).valid());
        Map<String, Long> counts = GoJudge.countEvents(f);
        assertEquals(1L, counts.get("Sync"));
        assertTrue(counts.getOrDefault("StackSample", 0L) > 0, counts.toString());
        assertTrue(counts.keySet().stream().anyMatch(k -> k.startsWith("StateTransition Goroutine Runnable->Running")));
    }

    @Test
    void rejectsADamagedTraceWithGosMessage() throws IOException {
        byte[] full = Files.readAllBytes(fixture());
        Path cut = dir.resolve("cut.trace");
        Files.write(cut, Arrays.copyOf(full, full.length / 2));
        AssertionError e = assertThrows(AssertionError.class, () -> GoJudge.assertValid(cut));
        assertTrue(e.getMessage().contains("go tool trace -d=1 exited 1"), e.getMessage());
        assertTrue(!GoJudge.assertInvalid(cut).isEmpty());
    }

    @Test
    void parsesGosLines() {
        assertEquals("StateTransition Goroutine Running->Waiting chan receive", GoJudge.keyOfGoLine(
                "M=1 P=0 G=7 StateTransition Time=5 Resource=Goroutine(7) Reason=\"chan receive\" GoID=7 Running->Waiting"));
        assertEquals("Log k\"ey", GoJudge.keyOfGoLine(
                "M=1 P=0 G=7 Log Time=5 Task=1 Category=\"k\\\"ey\" Message=\"v\""));
        assertEquals("RangeBegin GC mark assist", GoJudge.keyOfGoLine(
                "M=1 P=0 G=7 RangeBegin Time=5 Name=\"GC mark assist\" Scope=Goroutine(7)"));
        assertEquals("Sync", GoJudge.keyOfGoLine("M=-1 P=-1 G=-1 Sync Time=9"));
        assertEquals("é", GoJudge.unquote("\\xc3\\xa9"));
    }
}
