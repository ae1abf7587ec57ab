package dev.loomtracer;

import dev.loomtracer.engine.Backtraces;
import dev.loomtracer.engine.CallerStacks;
import dev.loomtracer.engine.CapturedStack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cached capture ({@link CallerStacks#current}, keyed by the JVM's backtrace through
 * {@link Backtraces}) gives the stack the walker gives ({@link CallerStacks#capture}), frame for
 * frame but for the reflection frames a {@link Throwable} shows and the walker hides
 * ({@code Method.invoke}: real frames, the JUnit runner's here); a second capture at the same site
 * is the cached stack itself; and a capture at another site, or from another caller of the same
 * site, is never the first one's. (In this package, not the engine's: the engine's frames are the
 * tracer's own, dropped from every stack.)
 */
class CallerStacksTest {
    /** Both captures in one expression: the same line, so the same stack. */
    private static CapturedStack[] both() {
        return new CapturedStack[] {CallerStacks.current(), CallerStacks.capture(0)};
    }

    private static CapturedStack site() {
        return CallerStacks.current();
    }

    private static List<String> frames(CapturedStack s) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < s.depth(); i++) {
            out.add(s.frame(i).toString());
        }
        return out;
    }

    @Test
    void theCachedCaptureIsTheWalkersStack() {
        assertTrue(Backtraces.available(), "the tests run with java.lang open: the backtrace is readable");
        CapturedStack[] s = both();
        List<String> cached = frames(s[0]).stream().filter(f -> !f.contains("function=java.lang.reflect.Method.invoke")
                && !f.contains("function=jdk.internal.reflect.")).toList();
        List<String> walked = frames(s[1]);
        int n = Math.min(cached.size(), walked.size());
        assertTrue(n > 10, "deep enough to compare: " + n);
        assertEquals(walked.subList(0, n), cached.subList(0, n));
        assertTrue(frames(s[0]).get(0).contains("CallerStacksTest.both"), frames(s[0]).toString());
    }

    @Test
    void aSiteIsCachedAndAnotherSiteOrCallerIsNot() {
        List<CapturedStack> same = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            same.add(site());
        }
        assertSame(same.get(0), same.get(1));
        assertSame(same.get(0), same.get(2));
        CapturedStack otherCaller = site();
        assertNotEquals(frames(same.get(0)), frames(otherCaller), "another line calls the site: another stack");
        assertEquals(frames(same.get(0)).get(0), frames(otherCaller).get(0), "same top frame");
        CapturedStack otherSite = CallerStacks.current();
        assertNotEquals(frames(same.get(0)).get(0), frames(otherSite).get(0));
    }
}
