package dev.loomtracer.hooks.core;

import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeModel;
import java.lang.classfile.Instruction;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.LineNumber;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The source line of the {@code synchronized} a virtual thread blocks in, for the top frame of a
 * contended monitor enter's stack.
 *
 * <p>The JVM yields a virtual thread that blocks in {@code monitorenter} itself (JDK 24+), and
 * freezes its frame positioned after that instruction: the place it resumes once it holds the
 * monitor. So the frame's line (JDK 25's {@code Thread.getStackTrace} and thread dumps say the
 * same) is that of the first statement inside the block, not of the {@code synchronized} that
 * blocks. This reads the method's bytecode ({@code java.lang.classfile}) and, when the
 * instruction ending at the frame's bytecode index is a {@code monitorenter}, gives that
 * instruction's line.
 *
 * <p>Invariant: a line is returned only when the bytecode shows the {@code monitorenter} (the
 * frame's own position, if it is one, or the instruction just before it); otherwise 0, unknown,
 * never a guess (a class whose bytes cannot be read: a hidden class). Each (method, index) is
 * resolved once, the first time a thread blocks there (that reads the class file), then cached.
 */
public final class MonitorEnterLines {
    private MonitorEnterLines() {}

    private record Site(String method, String descriptor, int bci) {}

    private static final int MAX_SITES = 4096;
    private static final ClassValue<ConcurrentHashMap<Site, Integer>> SITES = new ClassValue<>() {
        @Override
        protected ConcurrentHashMap<Site, Integer> computeValue(Class<?> c) {
            return new ConcurrentHashMap<>();
        }
    };

    /** The line of the monitorenter frame {@code f} is blocked in, or 0 if the bytecode does not show one. */
    public static int lineOf(StackWalker.StackFrame f) {
        Class<?> c;
        try {
            c = f.getDeclaringClass();
        } catch (UnsupportedOperationException e) {
            return 0;
        }
        ConcurrentHashMap<Site, Integer> sites = SITES.get(c);
        Site s = new Site(f.getMethodName(), f.getDescriptor(), f.getByteCodeIndex());
        Integer line = sites.get(s);
        if (line == null) {
            line = resolve(c, s);
            if (sites.size() < MAX_SITES) {
                sites.put(s, line);
            }
        }
        return line;
    }

    private static int resolve(Class<?> c, Site s) {
        if (c.isHidden() || s.bci() < 0) {
            return 0;
        }
        byte[] bytes;
        String resource = c.getName().substring(c.getName().lastIndexOf('.') + 1) + ".class";
        try (InputStream in = c.getResourceAsStream(resource)) {
            if (in == null) {
                return 0;
            }
            bytes = in.readAllBytes();
        } catch (Exception e) {
            return 0;
        }
        try {
            return lineIn(ClassFile.of().parse(bytes), s.method(), s.descriptor(), s.bci());
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** Loads the class-file API now (reading this class), so that no hook loads it. */
    public static void warmUp() {
        resolve(MonitorEnterLines.class, new Site("lineOf", "(Ljava/lang/StackWalker$StackFrame;)I", 0));
    }

    /** The line of the monitorenter at {@code bci}, or ending at it, in that method of {@code cm}; 0 if none. */
    static int lineIn(ClassModel cm, String method, String descriptor, int bci) {
        for (MethodModel m : cm.methods()) {
            if (!m.methodName().equalsString(method) || !m.methodType().equalsString(descriptor)) {
                continue;
            }
            CodeModel code = m.code().orElse(null);
            if (code == null) {
                return 0;
            }
            int pos = 0;
            int line = 0;
            for (CodeElement e : code) {
                if (e instanceof LineNumber ln) {
                    line = ln.line();
                } else if (e instanceof Instruction i) {
                    int end = pos + i.sizeInBytes();
                    if (i.opcode() == Opcode.MONITORENTER && (pos == bci || end == bci)) {
                        return line;
                    }
                    if (pos > bci) {
                        return 0;
                    }
                    pos = end;
                }
            }
            return 0;
        }
        return 0;
    }
}
