package dev.loomtracer.parse;

import static dev.loomtracer.format.EventType.*;

import dev.loomtracer.format.EventType;

/**
 * What the parser needs to know about each event type beyond its argument count: which arguments
 * are string and stack ids, which "begin" event an "end" or "active" event closes, and Go's
 * event kind (Go's {@code event/go122.Specs()} and {@code go122Type2Kind}).
 *
 * <p>Invariant: argument indices here count from the first argument after the timestamp delta,
 * the way {@link TraceEvent#arg(int)} does (Go's spec index minus one).
 */
final class EventSpec {
    private EventSpec() {}

    /** Experimental alloc/free events (Go 1.23, GOEXPERIMENT=allocheapfree): type codes 128..136. */
    static final int EXPERIMENTAL_FIRST = 128;
    /** One past the last type Go 1.23's spec table knows (GoroutineStackFree). */
    static final int LIMIT = 137;
    private static final String[] EXP_NAMES = {
        "Span", "SpanAlloc", "SpanFree", "HeapObject", "HeapObjectAlloc", "HeapObjectFree",
        "GoroutineStack", "GoroutineStackAlloc", "GoroutineStackFree",
    };
    private static final int[] EXP_ARGS = {4, 4, 2, 3, 3, 2, 3, 3, 2};

    private static final int[][] STRINGS = new int[256][];
    private static final int[][] STACKS = new int[256][];
    private static final int[] START = new int[256];
    private static final String[] KIND = new String[256];
    private static final int[] NONE = {};

    static {
        for (int i = 0; i < 256; i++) {
            STRINGS[i] = NONE;
            STACKS[i] = NONE;
        }
        STACKS[PROCS_CHANGE] = new int[] {1};
        STACKS[GO_CREATE] = new int[] {2, 1};
        STACKS[GO_CREATE_BLOCKED] = new int[] {2, 1};
        STACKS[GO_STOP] = new int[] {1};
        STACKS[GO_BLOCK] = new int[] {1};
        STACKS[GO_UNBLOCK] = new int[] {2};
        STACKS[GO_SYSCALL_BEGIN] = new int[] {1};
        STACKS[STW_BEGIN] = new int[] {1};
        STACKS[GC_BEGIN] = new int[] {1};
        STACKS[GC_SWEEP_BEGIN] = new int[] {0};
        STACKS[GC_MARK_ASSIST_BEGIN] = new int[] {0};
        STACKS[USER_TASK_BEGIN] = new int[] {3};
        STACKS[USER_TASK_END] = new int[] {1};
        STACKS[USER_REGION_BEGIN] = new int[] {2};
        STACKS[USER_REGION_END] = new int[] {2};
        STACKS[USER_LOG] = new int[] {3};
        STACKS[GO_STATUS_STACK] = new int[] {3};

        STRINGS[GO_STOP] = new int[] {0};
        STRINGS[GO_BLOCK] = new int[] {0};
        STRINGS[STW_BEGIN] = new int[] {0};
        STRINGS[GO_LABEL] = new int[] {0};
        STRINGS[USER_TASK_BEGIN] = new int[] {2};
        STRINGS[USER_REGION_BEGIN] = new int[] {1};
        STRINGS[USER_REGION_END] = new int[] {1};
        STRINGS[USER_LOG] = new int[] {1, 2};

        START[GO_SYSCALL_END] = GO_SYSCALL_BEGIN;
        START[GO_SYSCALL_END_BLOCKED] = GO_SYSCALL_BEGIN;
        START[STW_END] = STW_BEGIN;
        START[GC_ACTIVE] = GC_BEGIN;
        START[GC_END] = GC_BEGIN;
        START[GC_SWEEP_ACTIVE] = GC_SWEEP_BEGIN;
        START[GC_SWEEP_END] = GC_SWEEP_BEGIN;
        START[GC_MARK_ASSIST_ACTIVE] = GC_MARK_ASSIST_BEGIN;
        START[GC_MARK_ASSIST_END] = GC_MARK_ASSIST_BEGIN;
        START[USER_REGION_END] = USER_REGION_BEGIN;

        String st = "StateTransition";
        for (int t : new int[] {PROC_START, PROC_STOP, PROC_STEAL, PROC_STATUS, GO_CREATE,
                GO_CREATE_SYSCALL, GO_START, GO_DESTROY, GO_DESTROY_SYSCALL, GO_STOP, GO_BLOCK,
                GO_UNBLOCK, GO_SYSCALL_BEGIN, GO_SYSCALL_END, GO_SYSCALL_END_BLOCKED, GO_STATUS,
                GO_SWITCH, GO_SWITCH_DESTROY, GO_CREATE_BLOCKED, GO_STATUS_STACK}) {
            KIND[t] = st;
        }
        KIND[CPU_SAMPLE] = "StackSample";
        KIND[PROCS_CHANGE] = "Metric";
        KIND[HEAP_ALLOC] = "Metric";
        KIND[HEAP_GOAL] = "Metric";
        for (int t : new int[] {STW_BEGIN, GC_BEGIN, GC_SWEEP_BEGIN, GC_MARK_ASSIST_BEGIN}) {
            KIND[t] = "RangeBegin";
        }
        for (int t : new int[] {GC_ACTIVE, GC_SWEEP_ACTIVE, GC_MARK_ASSIST_ACTIVE}) {
            KIND[t] = "RangeActive";
        }
        for (int t : new int[] {STW_END, GC_END, GC_SWEEP_END, GC_MARK_ASSIST_END}) {
            KIND[t] = "RangeEnd";
        }
        KIND[GO_LABEL] = "Label";
        KIND[USER_TASK_BEGIN] = "TaskBegin";
        KIND[USER_TASK_END] = "TaskEnd";
        KIND[USER_REGION_BEGIN] = "RegionBegin";
        KIND[USER_REGION_END] = "RegionEnd";
        KIND[USER_LOG] = "Log";
        for (int i = 0; i < EXP_NAMES.length; i++) {
            KIND[EXPERIMENTAL_FIRST + i] = "Experimental";
        }
    }

    /** True for the types that may appear in an event batch (they carry a timestamp delta). */
    static boolean isTimed(int type) {
        return EventType.isTimed(type) || isExperimental(type);
    }

    static boolean isExperimental(int type) {
        return type >= EXPERIMENTAL_FIRST && type < EXPERIMENTAL_FIRST + EXP_NAMES.length;
    }

    /** Uvarint arguments of a timed event, timestamp delta included. */
    static int argCount(int type) {
        return isExperimental(type) ? EXP_ARGS[type - EXPERIMENTAL_FIRST] : EventType.argCount(type);
    }

    static String name(int type) {
        if (type == TraceEvent.SYNC) {
            return "Sync";
        }
        return isExperimental(type) ? EXP_NAMES[type - EXPERIMENTAL_FIRST] : EventType.name(type);
    }

    /** Indices of the string-id arguments. */
    static int[] stringArgs(int type) {
        return type >= 0 && type < 256 ? STRINGS[type] : NONE;
    }

    /** Indices of the stack-id arguments; the first one is the event's own stack. */
    static int[] stackArgs(int type) {
        return type >= 0 && type < 256 ? STACKS[type] : NONE;
    }

    /** The begin event a range end/active event belongs to, or 0. */
    static int startEvent(int type) {
        return START[type];
    }

    /** Go's event kind ({@code trace.EventKind.String()}). */
    static String kind(int type) {
        if (type == TraceEvent.SYNC) {
            return "Sync";
        }
        String k = type >= 0 && type < 256 ? KIND[type] : null;
        return k == null ? "Bad" : k;
    }
}
