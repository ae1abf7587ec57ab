package dev.loomtracer.hooks.core;

import org.junit.jupiter.api.Test;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.Instruction;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.LineNumber;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A frame frozen after a monitorenter (or at it) reads at the synchronized's line; any other position reads 0. */
class MonitorEnterLinesTest {
    private static final Object LOCK = new Object();
    private static int counter;

    static void enters() {
        synchronized (LOCK) { // the line a blocked thread must show
            counter++;
        }
    }

    @Test
    void theLineOfTheSynchronizedThatBlocks() throws Exception {
        ClassModel cm;
        try (var in = MonitorEnterLinesTest.class.getResourceAsStream("MonitorEnterLinesTest.class")) {
            cm = ClassFile.of().parse(in.readAllBytes());
        }
        MethodModel m = cm.methods().stream().filter(x -> x.methodName().equalsString("enters")).findFirst().orElseThrow();
        int pos = 0, enterAt = -1, enterLine = -1, line = 0, afterLine = -1;
        for (CodeElement e : m.code().orElseThrow()) {
            if (e instanceof LineNumber ln) {
                line = ln.line();
            } else if (e instanceof Instruction i) {
                if (i.opcode() == Opcode.MONITORENTER) {
                    enterAt = pos;
                    enterLine = line;
                } else if (enterAt >= 0 && afterLine < 0) {
                    afterLine = line;
                }
                pos += i.sizeInBytes();
            }
        }
        assertTrue(enterAt > 0 && afterLine == enterLine + 1, "the fixture: monitorenter at " + enterAt + " on " + enterLine);
        String desc = "()V";
        assertEquals(enterLine, MonitorEnterLines.lineIn(cm, "enters", desc, enterAt + 1), "frozen after the monitorenter");
        assertEquals(enterLine, MonitorEnterLines.lineIn(cm, "enters", desc, enterAt), "at the monitorenter");
        assertEquals(0, MonitorEnterLines.lineIn(cm, "enters", desc, 0), "not a monitor enter: unknown, not a guess");
        assertEquals(0, MonitorEnterLines.lineIn(cm, "noSuchMethod", desc, enterAt + 1));
        enters();
    }
}
