package dev.loomtracer.parse;

import static dev.loomtracer.format.EventType.*;

import dev.loomtracer.format.Status;
import dev.loomtracer.parse.Transition.Resource;
import dev.loomtracer.parse.Transition.State;

/**
 * One validated event, in the order Go's parser produces it, with its strings and stacks resolved.
 *
 * <p>Invariant: the scheduling context ({@link #m()}, {@link #p()}, {@link #g()}) is the one
 * <em>before</em> the event, as in Go's {@code schedCtx}: a GoStart happens on a P with no G, and
 * the started G is in {@link #transition()}. {@link #NONE} (-1) means no M, P or G. Times are
 * nanoseconds and strictly increase along the trace. An event holds no reference to its
 * generation's tables, only to the strings and stacks it uses. An event of a parser that reuses
 * events ({@link TraceParser#reuseEvents()}) holds its values until that parser's next call only.
 */
public final class TraceEvent {
    /** Type of the synthetic event that ends each generation (Go's EventSync). */
    public static final int SYNC = -1;
    /** No M, P, G or task. */
    public static final long NONE = -1;

    private static final long[] NO_ARGS = {};
    private static final String[] NO_STRINGS = {};

    // Not final: the ordering refills a pooled event when its parser reuses events (TraceParser.reuseEvents).
    int type;
    long time;
    long m;
    long p;
    long g;
    long[] args;
    int argCount;
    long generation;
    long offset;
    /** Made by the ordering's pool: refilled after the parser's next call when events are reused. */
    boolean pooled;
    private String[] ownStrings; // a pooled event's string array, reused

    // Filled in by the ordering (Go smuggles these through baseEvent.extra).
    State from;           // GoStatus/GoStatusStack/ProcStatus: state before the event
    int stealStatus;      // ProcSteal: the P's status code that let it advance
    long taskParent = NONE; // UserTaskEnd
    String taskName;      // UserTaskEnd
    String stwKind;       // STWEnd

    // Filled in when the event is resolved against its generation.
    String[] strings = NO_STRINGS; // shared: never written into
    ParsedStack stack = ParsedStack.EMPTY;
    ParsedStack newStack = ParsedStack.EMPTY;

    TraceEvent(int type, long time, long m, long p, long g, long[] args, long generation, long offset) {
        this.type = type;
        this.time = time;
        this.m = m;
        this.p = p;
        this.g = g;
        this.args = args == null ? NO_ARGS : args;
        this.argCount = this.args.length;
        this.generation = generation;
        this.offset = offset;
    }

    /** A pooled event, to be {@link #refill}ed; its argument array holds the most any event has. */
    static TraceEvent pooled() {
        TraceEvent e = new TraceEvent(SYNC, 0, NONE, NONE, NONE, new long[Ordering.MAX_ARGS], 0, -1);
        e.pooled = true;
        return e;
    }

    /** Makes this pooled event a new one, as the constructor would (arguments copied in by the caller). */
    void refill(int type, long time, long m, long p, long g, int argCount, long generation, long offset) {
        this.type = type;
        this.time = time;
        this.m = m;
        this.p = p;
        this.g = g;
        this.argCount = argCount;
        this.generation = generation;
        this.offset = offset;
        from = null;
        stealStatus = 0;
        taskParent = NONE;
        taskName = null;
        stwKind = null;
        // References stored only when they change: a pooled event lives in the old generation,
        // where G1's write barrier costs a memory fence per store of a reference (JDK 25).
        if (strings != NO_STRINGS) {
            strings = NO_STRINGS;
        }
        if (stack != ParsedStack.EMPTY) {
            stack = ParsedStack.EMPTY;
        }
        if (newStack != ParsedStack.EMPTY) {
            newStack = ParsedStack.EMPTY;
        }
    }

    /** An array for {@code n} resolved strings: a pooled event's own, else a new one. */
    String[] stringSlots(int n) {
        if (!pooled) {
            return new String[n];
        }
        if (ownStrings == null || ownStrings.length < n) {
            ownStrings = new String[Math.max(2, n)];
        }
        return ownStrings;
    }

    /** Event type code ({@link dev.loomtracer.format.EventType}), or {@link #SYNC}. */
    public int type() {
        return type;
    }

    public String typeName() {
        return EventSpec.name(type);
    }

    /** Go's event kind: StateTransition, RangeBegin, Log, Sync, ... */
    public String kind() {
        return EventSpec.kind(type);
    }

    public boolean isSync() {
        return type == SYNC;
    }

    /** Nanoseconds (ticks converted with the generation's frequency, made strictly increasing). */
    public long time() {
        return time;
    }

    /** The M (thread) the event happened on, or {@link #NONE}. */
    public long m() {
        return m;
    }

    /** The P held before the event, or {@link #NONE}. */
    public long p() {
        return p;
    }

    /** The G running before the event, or {@link #NONE}. */
    public long g() {
        return g;
    }

    public long generation() {
        return generation;
    }

    /** Byte offset of the event in the trace, or -1 for synthetic events. */
    public long offset() {
        return offset;
    }

    /** Number of arguments after the timestamp. */
    public int argCount() {
        return argCount;
    }

    /** Argument {@code i} after the timestamp, as on the wire (a task begun with parent 0 reads -1). */
    public long arg(int i) {
        return args[java.util.Objects.checkIndex(i, argCount)];
    }

    /** Stop or block reason (GoStop, GoBlock), stop-the-world kind (STWBegin, STWEnd), else null. */
    public String reason() {
        return switch (type) {
            case GO_STOP, GO_BLOCK, STW_BEGIN -> strings[0];
            case STW_END -> stwKind;
            default -> null;
        };
    }

    /** Task or region type, label, or log category (key); else null. */
    public String name() {
        return switch (type) {
            case USER_TASK_BEGIN, GO_LABEL -> strings[0];
            case USER_REGION_BEGIN, USER_REGION_END, USER_LOG -> strings[0];
            case USER_TASK_END -> taskName;
            default -> null;
        };
    }

    /** The message (value) of a user log, else null. */
    public String message() {
        return type == USER_LOG ? strings[1] : null;
    }

    /** Task id of task, region and log events, else {@link #NONE}. */
    public long task() {
        return switch (type) {
            case USER_TASK_BEGIN, USER_TASK_END, USER_REGION_BEGIN, USER_REGION_END, USER_LOG -> args[0];
            default -> NONE;
        };
    }

    /** Parent task of a task event, {@link #NONE} if none or unknown. */
    public long parentTask() {
        return switch (type) {
            case USER_TASK_BEGIN -> args[1];
            case USER_TASK_END -> taskParent;
            default -> NONE;
        };
    }

    /** The event's own stack; {@link ParsedStack#EMPTY} if it has none. */
    public ParsedStack stack() {
        return stack;
    }

    /** The start stack of the goroutine created by GoCreate/GoCreateBlocked, else {@link ParsedStack#EMPTY}. */
    public ParsedStack newStack() {
        return newStack;
    }

    /** The name of the range of RangeBegin/RangeActive/RangeEnd events (Go's Range().Name), else null. */
    public String rangeName() {
        return switch (type) {
            case STW_BEGIN -> "stop-the-world (" + strings[0] + ")";
            case STW_END -> "stop-the-world (" + stwKind + ")";
            case GC_BEGIN, GC_ACTIVE, GC_END -> "GC concurrent mark phase";
            case GC_SWEEP_BEGIN, GC_SWEEP_ACTIVE, GC_SWEEP_END -> "GC incremental sweep";
            case GC_MARK_ASSIST_BEGIN, GC_MARK_ASSIST_ACTIVE, GC_MARK_ASSIST_END -> "GC mark assist";
            default -> null;
        };
    }

    /** The goroutine or proc state change this event is, or null (Go's StateTransition()). */
    public Transition transition() {
        return switch (type) {
            case PROC_START -> proc(args[0], State.IDLE, State.RUNNING);
            case PROC_STOP -> proc(p, State.RUNNING, State.IDLE);
            case PROC_STEAL -> proc(args[0],
                    stealStatus == Status.PROC_SYSCALL_ABANDONED ? State.IDLE : State.RUNNING, State.IDLE);
            case PROC_STATUS -> proc(args[0], from, State.ofProcStatus(args[1]));
            case GO_CREATE -> go(args[0], State.NOT_EXIST, State.RUNNABLE);
            case GO_CREATE_BLOCKED -> go(args[0], State.NOT_EXIST, State.WAITING);
            case GO_CREATE_SYSCALL -> go(args[0], State.NOT_EXIST, State.SYSCALL);
            case GO_START -> go(args[0], State.RUNNABLE, State.RUNNING);
            case GO_DESTROY -> go(g, State.RUNNING, State.NOT_EXIST);
            case GO_DESTROY_SYSCALL -> go(g, State.SYSCALL, State.NOT_EXIST);
            case GO_STOP -> go(g, State.RUNNING, State.RUNNABLE);
            case GO_BLOCK -> go(g, State.RUNNING, State.WAITING);
            case GO_UNBLOCK, GO_SWITCH, GO_SWITCH_DESTROY -> go(args[0], State.WAITING, State.RUNNABLE);
            case GO_SYSCALL_BEGIN -> go(g, State.RUNNING, State.SYSCALL);
            case GO_SYSCALL_END -> go(g, State.SYSCALL, State.RUNNING);
            case GO_SYSCALL_END_BLOCKED -> go(g, State.SYSCALL, State.RUNNABLE);
            case GO_STATUS, GO_STATUS_STACK -> go(args[0], from, State.ofGoStatus(args[2]));
            default -> null;
        };
    }

    private static Transition go(long id, State from, State to) {
        return new Transition(Resource.GOROUTINE, id, from, to);
    }

    private static Transition proc(long id, State from, State to) {
        return new Transition(Resource.PROC, id, from, to);
    }

    /** One line in the spirit of Go's {@code Event.String()}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append("M=").append(m).append(" P=").append(p).append(" G=").append(g).append(' ')
                .append(typeName()).append(" Time=").append(time);
        Transition t = transition();
        if (t != null) {
            sb.append(' ').append(t);
        }
        String s = reason();
        if (s != null) {
            sb.append(" Reason=\"").append(s).append('"');
        }
        if ((s = name()) != null) {
            sb.append(" Name=\"").append(s).append('"');
        }
        if ((s = message()) != null) {
            sb.append(" Message=\"").append(s).append('"');
        }
        if (!stack.isEmpty()) {
            sb.append(" Stack=").append(stack.frames());
        }
        return sb.toString();
    }
}
