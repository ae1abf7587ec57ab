package dev.loomtracer.jfr.convert;

import dev.loomtracer.jfr.events.LoomEvents;
import dev.loomtracer.parse.Frame;
import dev.loomtracer.parse.ParsedStack;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;
import jdk.jfr.Timestamp;

import org.openjdk.jmc.flightrecorder.writer.api.Annotation;
import org.openjdk.jmc.flightrecorder.writer.api.Recording;
import org.openjdk.jmc.flightrecorder.writer.api.Type;
import org.openjdk.jmc.flightrecorder.writer.api.TypeStructureBuilder;
import org.openjdk.jmc.flightrecorder.writer.api.TypedFieldBuilder;
import org.openjdk.jmc.flightrecorder.writer.api.TypedValue;
import org.openjdk.jmc.flightrecorder.writer.api.Types;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The type system of a converted recording, defined on one JMC {@link Recording} (one chunk):
 * the JFR annotation types, the JDK types events refer to (threads, stack traces), and the event
 * types, derived from the {@code jdk.jfr.Event} classes of {@link dev.loomtracer.jfr.events} so the
 * live bridge and the converter write the same types.
 *
 * <p>Invariants (what JMC's writer 9.1.2 needs for {@code jfr print} and JMC to read the file):
 * the recording is created without JDK type initialization and every type is defined here;
 * every event type has supertype {@code jdk.jfr.Event} and the fields {@code startTime} and
 * {@code duration} (when it has one) first, then {@code eventThread} and {@code stackTrace};
 * {@code java.lang.Thread} has {@code javaThreadId} and {@code virtual} as in the JDK.
 * Values are cached per chunk (threads, frames, stacks).
 */
final class JfrSchema {
    private static final String ANNOTATION = Annotation.ANNOTATION_SUPER_TYPE_NAME;

    final Recording rec;
    private final Type label;
    private final Type description;
    private final Type category;
    private final Type timestamp;
    private final Type timespan;
    final Type thread;
    private final Type threadGroup;
    private final Type symbol;
    private final Type clazz;
    private final Type pkg;
    private final Type module;
    private final Type method;
    private final Type frameType;
    private final Type stackFrame;
    final Type stackTrace;
    private final Map<String, Type> events = new LinkedHashMap<>();
    private final Map<String, List<String>> fieldOrder = new HashMap<>();

    private final Map<Long, TypedValue> threads = new HashMap<>();
    private final Map<String, TypedValue> groups = new HashMap<>();
    /**
     * Keyed by the frames, not by the stack's id: ids are per generation, and an episode is
     * written when it ends, often in a later generation than the one whose stack it carries.
     */
    private final Map<List<Frame>, TypedValue> stacks = new HashMap<>();
    private final Map<Frame, TypedValue> frames = new HashMap<>();
    private final Map<String, TypedValue> classes = new HashMap<>();
    private final Map<String, TypedValue> packages = new HashMap<>();
    private TypedValue emptyStack;
    private TypedValue unknownFrameType;

    JfrSchema(Recording rec) {
        this.rec = rec;
        Types types = rec.getTypes();
        Type name = types.getOrAdd(Types.JDK.ANNOTATION_NAME, ANNOTATION, b -> b.addField("value", Types.Builtin.STRING));
        label = types.getOrAdd(Types.JDK.ANNOTATION_LABEL, ANNOTATION, b -> b.addField("value", Types.Builtin.STRING));
        description = types.getOrAdd(Types.JDK.ANNOTATION_DESCRIPTION, ANNOTATION,
                b -> b.addField("value", Types.Builtin.STRING));
        Type contentType = types.getOrAdd(Types.JDK.ANNOTATION_CONTENT_TYPE, ANNOTATION, b -> { });
        timestamp = types.getOrAdd(Types.JDK.ANNOTATION_TIMESTAMP, ANNOTATION, b -> b
                .addField("value", Types.Builtin.STRING)
                .addAnnotation(name, "jdk.jfr.Timestamp").addAnnotation(contentType)
                .addAnnotation(label, "Timestamp").addAnnotation(description, "A point in time"));
        timespan = types.getOrAdd(Types.JDK.ANNOTATION_TIMESPAN, ANNOTATION, b -> b
                .addField("value", Types.Builtin.STRING)
                .addAnnotation(name, "jdk.jfr.Timespan").addAnnotation(contentType)
                .addAnnotation(label, "Timespan")
                .addAnnotation(description, "A duration, measured in nanoseconds by default"));
        category = types.getOrAdd(Types.JDK.ANNOTATION_CATEGORY, ANNOTATION, b -> b
                .addField("value", Types.Builtin.STRING, TypedFieldBuilder::asArray)
                .addAnnotation(name, "jdk.jfr.Category"));

        threadGroup = types.getOrAdd(Types.JDK.THREAD_GROUP, b -> b
                .addField("parent", b.selfType(), f -> f.addAnnotation(label, "Parent"))
                .addField("name", Types.Builtin.STRING, f -> f.addAnnotation(label, "Name"))
                .addAnnotation(label, "Thread Group"));
        thread = types.getOrAdd(Types.JDK.THREAD, b -> b
                .addField("osName", Types.Builtin.STRING, f -> f.addAnnotation(label, "OS Thread Name"))
                .addField("osThreadId", Types.Builtin.LONG, f -> f.addAnnotation(label, "OS Thread Id"))
                .addField("javaName", Types.Builtin.STRING, f -> f.addAnnotation(label, "Java Thread Name"))
                .addField("javaThreadId", Types.Builtin.LONG, f -> f.addAnnotation(label, "Java Thread Id"))
                .addField("group", threadGroup, f -> f.addAnnotation(label, "Java Thread Group"))
                .addField("virtual", Types.Builtin.BOOLEAN, f -> f.addAnnotation(label, "Virtual Thread"))
                .addAnnotation(label, "Thread"));
        symbol = types.getOrAdd(Types.JDK.SYMBOL, b -> b
                .addField("string", Types.Builtin.STRING, f -> f.addAnnotation(label, "String"))
                .addAnnotation(label, "Symbol"));
        Type classLoader = types.getOrAdd(Types.JDK.CLASS_LOADER, b -> b
                .addField("type", Types.JDK.CLASS, f -> f.addAnnotation(label, "Type"))
                .addField("name", symbol, f -> f.addAnnotation(label, "Name"))
                .addAnnotation(label, "Java Class Loader"));
        module = types.getOrAdd(Types.JDK.MODULE, b -> b
                .addField("name", symbol, f -> f.addAnnotation(label, "Name"))
                .addField("version", symbol, f -> f.addAnnotation(label, "Version"))
                .addField("location", symbol, f -> f.addAnnotation(label, "Location"))
                .addField("classLoader", classLoader, f -> f.addAnnotation(label, "Class Loader"))
                .addAnnotation(label, "Module"));
        pkg = types.getOrAdd(Types.JDK.PACKAGE, b -> b
                .addField("name", symbol, f -> f.addAnnotation(label, "Name"))
                .addField("module", module, f -> f.addAnnotation(label, "Module"))
                .addField("exported", Types.Builtin.BOOLEAN, f -> f.addAnnotation(label, "Exported"))
                .addAnnotation(label, "Package"));
        clazz = types.getOrAdd(Types.JDK.CLASS, b -> b
                .addField("classLoader", classLoader, f -> f.addAnnotation(label, "Class Loader"))
                .addField("name", symbol, f -> f.addAnnotation(label, "Name"))
                .addField("package", pkg, f -> f.addAnnotation(label, "Package"))
                .addField("modifiers", Types.Builtin.INT, f -> f.addAnnotation(label, "Access Modifiers"))
                .addField("hidden", Types.Builtin.BOOLEAN, f -> f.addAnnotation(label, "Hidden"))
                .addAnnotation(label, "Java Class"));
        method = types.getOrAdd(Types.JDK.METHOD, b -> b
                .addField("type", clazz, f -> f.addAnnotation(label, "Type"))
                .addField("name", symbol, f -> f.addAnnotation(label, "Name"))
                .addField("descriptor", symbol, f -> f.addAnnotation(label, "Descriptor"))
                .addField("modifiers", Types.Builtin.INT, f -> f.addAnnotation(label, "Access Modifiers"))
                .addField("hidden", Types.Builtin.BOOLEAN, f -> f.addAnnotation(label, "Hidden"))
                .addAnnotation(label, "Java Method"));
        frameType = types.getOrAdd(Types.JDK.FRAME_TYPE, b -> b
                .addField("description", Types.Builtin.STRING, f -> f.addAnnotation(label, "Description"))
                .addAnnotation(label, "Frame type"));
        // Frames are inline structs, not constant-pool entries: the JDK's parser (RecordedObject.structifyArray)
        // only handles stack frames inline, and JMC's default JDK types get this wrong.
        stackFrame = types.getOrAdd(Types.JDK.STACK_FRAME.getTypeName(), false, b -> b
                .addField("method", method, f -> f.addAnnotation(label, "Java Method"))
                .addField("lineNumber", Types.Builtin.INT, f -> f.addAnnotation(label, "Line Number"))
                .addField("bytecodeIndex", Types.Builtin.INT, f -> f.addAnnotation(label, "Bytecode Index"))
                .addField("type", frameType, f -> f.addAnnotation(label, "Frame Type")));
        stackTrace = types.getOrAdd(Types.JDK.STACK_TRACE, b -> b
                .addField("truncated", Types.Builtin.BOOLEAN, f -> f.addAnnotation(label, "Truncated"))
                .addField("frames", stackFrame, f -> f.asArray().addAnnotation(label, "Stack Frames"))
                .addAnnotation(label, "Stacktrace"));

        for (Class<? extends jdk.jfr.Event> c : LoomEvents.SCHEDULING_AND_ANNOTATIONS) {
            registerEventClass(c);
        }
        registerEventClass(dev.loomtracer.jfr.events.TraceGcEvent.class);
        registerEventClass(dev.loomtracer.jfr.events.StopTheWorldEvent.class);
        registerExecutionSample();
    }

    /**
     * Defines an event type from a {@code jdk.jfr.Event} class: its @Name, @Label, @Description,
     * @Category, the implicit fields first, then its own fields with their @Label/@Description.
     */
    private void registerEventClass(Class<? extends jdk.jfr.Event> c) {
        String typeName = c.getAnnotation(Name.class).value();
        List<String> order = new ArrayList<>(List.of("startTime", "duration", "eventThread", "stackTrace"));
        Type t = rec.registerType(typeName, "jdk.jfr.Event", b -> {
            implicitFields(b, true);
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || Modifier.isTransient(f.getModifiers())) {
                    continue;
                }
                Types.Predefined ft = fieldType(f.getType());
                order.add(f.getName());
                b.addField(f.getName(), ft, fb -> annotate(fb, f));
            }
            annotateType(b, c);
        });
        events.put(typeName, t);
        fieldOrder.put(typeName, order);
    }

    /** jdk.ExecutionSample as the JDK defines it, so JMC's profiling pages and rules see the samples. */
    private void registerExecutionSample() {
        Type t = rec.registerType(LoomEvents.EXECUTION_SAMPLE, "jdk.jfr.Event", b -> {
            b.addField("startTime", Types.Builtin.LONG, f -> f.addAnnotation(timestamp, "TICKS")
                    .addAnnotation(label, "Start Time"));
            b.addField("sampledThread", thread, f -> f.addAnnotation(label, "Thread"));
            b.addField("stackTrace", stackTrace, f -> f.addAnnotation(label, "Stack Trace"));
            b.addField("state", Types.Builtin.STRING, f -> f.addAnnotation(label, "Thread State"));
            b.addAnnotation(label, "Java Execution Sample");
            b.addAnnotation(description, "Snapshot of a thread executing Java code (a CPU sample the trace carries)");
            b.addAnnotation(category, v -> v.putField("value", new String[] {"Java Virtual Machine", "Profiling"}));
        });
        events.put(LoomEvents.EXECUTION_SAMPLE, t);
        fieldOrder.put(LoomEvents.EXECUTION_SAMPLE, List.of("startTime", "sampledThread", "stackTrace", "state"));
    }

    private void implicitFields(TypeStructureBuilder b, boolean withDuration) {
        b.addField("startTime", Types.Builtin.LONG, f -> f.addAnnotation(timestamp, "TICKS")
                .addAnnotation(label, "Start Time"));
        if (withDuration) {
            b.addField("duration", Types.Builtin.LONG, f -> f.addAnnotation(timespan, "TICKS")
                    .addAnnotation(label, "Duration"));
        }
        b.addField("eventThread", thread, f -> f.addAnnotation(label, "Event Thread")
                .addAnnotation(description, "The thread the event is about (the virtual thread, for scheduling events)"));
        b.addField("stackTrace", stackTrace, f -> f.addAnnotation(label, "Stack Trace")
                .addAnnotation(description, "The stack the trace recorded for the event, if any"));
    }

    private static Types.Predefined fieldType(Class<?> c) {
        if (c == long.class) {
            return Types.Builtin.LONG;
        } else if (c == int.class) {
            return Types.Builtin.INT;
        } else if (c == boolean.class) {
            return Types.Builtin.BOOLEAN;
        } else if (c == String.class) {
            return Types.Builtin.STRING;
        } else if (c == Thread.class) {
            return Types.JDK.THREAD;
        }
        throw new IllegalArgumentException("unsupported event field type " + c);
    }

    private TypedFieldBuilder annotate(TypedFieldBuilder fb, Field f) {
        Label l = f.getAnnotation(Label.class);
        if (l != null) {
            fb = fb.addAnnotation(label, l.value());
        }
        Description d = f.getAnnotation(Description.class);
        if (d != null) {
            fb = fb.addAnnotation(description, d.value());
        }
        Timespan ts = f.getAnnotation(Timespan.class);
        if (ts != null) {
            fb = fb.addAnnotation(timespan, ts.value());
        }
        Timestamp tm = f.getAnnotation(Timestamp.class);
        if (tm != null) {
            fb = fb.addAnnotation(timestamp, tm.value());
        }
        return fb;
    }

    private void annotateType(TypeStructureBuilder b, Class<?> c) {
        Label l = c.getAnnotation(Label.class);
        if (l != null) {
            b.addAnnotation(label, l.value());
        }
        Description d = c.getAnnotation(Description.class);
        if (d != null) {
            b.addAnnotation(description, d.value());
        }
        Category cat = c.getAnnotation(Category.class);
        if (cat != null) {
            String[] v = cat.value();
            b.addAnnotation(category, x -> x.putField("value", v));
        }
    }

    Type event(String name) {
        Type t = events.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no event type " + name);
        }
        return t;
    }

    /** The field names of an event type, in order (every one must be set on every event). */
    List<String> fields(String eventName) {
        return fieldOrder.get(eventName);
    }

    // ---------------------------------------------------------------- values

    /** A thread of the trace: a virtual thread, a carrier, or a platform thread that emitted events. */
    TypedValue thread(long id, boolean virtual, String name) {
        return threads.computeIfAbsent(id, k -> {
            TypedValue group = group(virtual ? "VirtualThreads" : "CarrierThreads");
            return thread.asValue(v -> v.putField("osName", name)
                    .putField("osThreadId", virtual ? 0L : id)
                    .putField("javaName", name)
                    .putField("javaThreadId", id)
                    .putField("group", group)
                    .putField("virtual", virtual));
        });
    }

    private TypedValue group(String name) {
        return groups.computeIfAbsent(name, n -> threadGroup.asValue(v -> v.putField("name", n)));
    }

    /** A JFR stack trace for a trace stack (cached by its frames for the chunk). */
    TypedValue stack(ParsedStack s) {
        if (s == null || s.isEmpty()) {
            if (emptyStack == null) {
                emptyStack = emptyStackTrace();
            }
            return emptyStack;
        }
        return stacks.computeIfAbsent(s.frames(), k -> {
            TypedValue[] fs = new TypedValue[s.frames().size()];
            for (int i = 0; i < fs.length; i++) {
                fs[i] = frame(s.frames().get(i));
            }
            boolean truncated = fs.length >= dev.loomtracer.format.EventType.MAX_FRAMES_PER_STACK;
            return stackTrace.asValue(v -> v.putField("truncated", truncated).putField("frames", fs));
        });
    }

    /**
     * A stack trace with no frames. JMC's value builder drops an empty array (it writes a
     * one-element array holding null instead), so the field values are built directly.
     */
    private TypedValue emptyStackTrace() {
        org.openjdk.jmc.flightrecorder.writer.TypedFieldImpl truncated =
                (org.openjdk.jmc.flightrecorder.writer.TypedFieldImpl) stackTrace.getField("truncated");
        org.openjdk.jmc.flightrecorder.writer.TypedFieldImpl framesField =
                (org.openjdk.jmc.flightrecorder.writer.TypedFieldImpl) stackTrace.getField("frames");
        Map<String, org.openjdk.jmc.flightrecorder.writer.TypedFieldValueImpl> values = new LinkedHashMap<>();
        values.put("truncated", new org.openjdk.jmc.flightrecorder.writer.TypedFieldValueImpl(truncated,
                (org.openjdk.jmc.flightrecorder.writer.TypedValueImpl) rec.getTypes().getType(Types.Builtin.BOOLEAN).asValue(false)));
        values.put("frames", new org.openjdk.jmc.flightrecorder.writer.TypedFieldValueImpl(framesField,
                new org.openjdk.jmc.flightrecorder.writer.TypedValueImpl[0]));
        return stackTrace.asValue((Object) values);
    }

    private TypedValue frame(Frame f) {
        Frame key = new Frame(0, f.function(), f.file(), f.line());
        return frames.computeIfAbsent(key, k -> {
            String fn = k.function();
            int dot = fn.lastIndexOf('.');
            String className = dot > 0 ? fn.substring(0, dot) : "";
            String methodName = dot > 0 ? fn.substring(dot + 1) : fn;
            TypedValue type = classValue(className);
            TypedValue m = method.asValue(v -> v.putField("type", type)
                    .putField("name", sym(methodName))
                    // The trace names methods without their signature; "()V" keeps JFR tools' descriptor parsing happy.
                    .putField("descriptor", sym("()V"))
                    .putField("modifiers", 0)
                    .putField("hidden", false));
            if (unknownFrameType == null) {
                unknownFrameType = frameType.asValue(v -> v.putField("description", "Unknown"));
            }
            int line = (int) Math.min(Integer.MAX_VALUE, Math.max(0, k.line()));
            return stackFrame.asValue(v -> v.putField("method", m)
                    .putField("lineNumber", line)
                    .putField("bytecodeIndex", -1)
                    .putField("type", unknownFrameType));
        });
    }

    /** A class by binary name ("a.b.C$D"); JFR spells class and package names with slashes. */
    private TypedValue classValue(String binaryName) {
        return classes.computeIfAbsent(binaryName, n -> {
            int dot = n.lastIndexOf('.');
            String pkgName = dot > 0 ? n.substring(0, dot).replace('.', '/') : "";
            TypedValue p = packages.computeIfAbsent(pkgName, pn -> pkg.asValue(v -> v.putField("name", sym(pn))
                    .putField("exported", true)));
            return clazz.asValue(v -> v.putField("name", sym(n.replace('.', '/')))
                    .putField("package", p)
                    .putField("modifiers", 0)
                    .putField("hidden", false));
        });
    }

    private TypedValue sym(String s) {
        return symbol.asValue(v -> v.putField("string", s));
    }

    /** Builds and writes one event; {@code fields} must set every field but the implicit ones given here. */
    void write(String eventName, long startTicks, long durationTicks, TypedValue eventThread, TypedValue stack,
               Consumer<org.openjdk.jmc.flightrecorder.writer.api.TypedValueBuilder> fields) {
        Type t = event(eventName);
        rec.writeEvent(t.asValue(v -> {
            v.putField("startTime", startTicks);
            v.putField("duration", durationTicks);
            v.putField("eventThread", eventThread);
            v.putField("stackTrace", stack);
            fields.accept(v);
        }));
    }

    void writeSample(long startTicks, TypedValue sampledThread, TypedValue stack) {
        Type t = event(LoomEvents.EXECUTION_SAMPLE);
        rec.writeEvent(t.asValue(v -> v.putField("startTime", startTicks)
                .putField("sampledThread", sampledThread)
                .putField("stackTrace", stack)
                .putField("state", "STATE_RUNNABLE")));
    }
}
