package dev.loomtracer.format;

/**
 * Event type bytes of the Go execution trace format, version go 1.23
 * ({@code src/internal/trace/event/go122/event.go}). Writer and parser share this table, so a
 * type code has exactly one meaning in the project.
 *
 * <p>Invariant: {@link #argCount(int)} is the number of uvarint arguments after the type byte,
 * timestamp delta included for timed events; it matches Go's {@code Specs()[typ].Args}.
 */
public final class EventType {
    private EventType() {}

    public static final int NONE = 0;

    // Structural events.
    public static final int EVENT_BATCH = 1;   // [gen, M id, timestamp, size]: BatchLayout
    public static final int STACKS = 2;
    public static final int STACK = 3;         // [id, nframes, {pc, func, file, line}...]
    public static final int STRINGS = 4;
    public static final int STRING = 5;        // [id, len, bytes]
    public static final int CPU_SAMPLES = 6;
    public static final int CPU_SAMPLE = 7;    // [timestamp, M, P, G, stack]
    public static final int FREQUENCY = 8;     // [ticks per second]

    // Procs.
    public static final int PROCS_CHANGE = 9;  // [dt, procs, stack]
    public static final int PROC_START = 10;   // [dt, P, P seq]
    public static final int PROC_STOP = 11;    // [dt]
    public static final int PROC_STEAL = 12;   // [dt, P, P seq, M]
    public static final int PROC_STATUS = 13;  // [dt, P, status]

    // Goroutines.
    public static final int GO_CREATE = 14;             // [dt, new G, new stack, stack]
    public static final int GO_CREATE_SYSCALL = 15;     // [dt, new G]
    public static final int GO_START = 16;              // [dt, G, G seq]
    public static final int GO_DESTROY = 17;            // [dt]
    public static final int GO_DESTROY_SYSCALL = 18;    // [dt]
    public static final int GO_STOP = 19;               // [dt, reason string, stack]
    public static final int GO_BLOCK = 20;              // [dt, reason string, stack]
    public static final int GO_UNBLOCK = 21;            // [dt, G, G seq, stack]
    public static final int GO_SYSCALL_BEGIN = 22;      // [dt, P seq, stack]
    public static final int GO_SYSCALL_END = 23;        // [dt]
    public static final int GO_SYSCALL_END_BLOCKED = 24;// [dt]
    public static final int GO_STATUS = 25;             // [dt, G, M, status]

    // STW.
    public static final int STW_BEGIN = 26;    // [dt, kind string, stack]
    public static final int STW_END = 27;      // [dt]

    // GC.
    public static final int GC_ACTIVE = 28;    // [dt, seq]
    public static final int GC_BEGIN = 29;     // [dt, seq, stack]
    public static final int GC_END = 30;       // [dt, seq]
    public static final int GC_SWEEP_ACTIVE = 31;
    public static final int GC_SWEEP_BEGIN = 32;
    public static final int GC_SWEEP_END = 33;
    public static final int GC_MARK_ASSIST_ACTIVE = 34;
    public static final int GC_MARK_ASSIST_BEGIN = 35;
    public static final int GC_MARK_ASSIST_END = 36;
    public static final int HEAP_ALLOC = 37;   // [dt, bytes]
    public static final int HEAP_GOAL = 38;    // [dt, bytes]

    // Annotations.
    public static final int GO_LABEL = 39;           // [dt, label string]
    public static final int USER_TASK_BEGIN = 40;    // [dt, task, parent task, name string, stack]
    public static final int USER_TASK_END = 41;      // [dt, task, stack]
    public static final int USER_REGION_BEGIN = 42;  // [dt, task, name string, stack]
    public static final int USER_REGION_END = 43;    // [dt, task, name string, stack]
    public static final int USER_LOG = 44;           // [dt, task, key string, value string, stack]

    // Go 1.23 additions.
    public static final int GO_SWITCH = 45;          // [dt, G, G seq]
    public static final int GO_SWITCH_DESTROY = 46;  // [dt, G, G seq]
    public static final int GO_CREATE_BLOCKED = 47;  // [dt, new G, new stack, stack]
    public static final int GO_STATUS_STACK = 48;    // [dt, G, M, status, stack]
    public static final int EXPERIMENTAL_BATCH = 49; // [exp, gen, M, timestamp, size, data]

    /** One past the largest known type code. */
    public static final int LIMIT = 50;

    private static final String[] NAMES = {
        "None", "EventBatch", "Stacks", "Stack", "Strings", "String", "CPUSamples", "CPUSample",
        "Frequency", "ProcsChange", "ProcStart", "ProcStop", "ProcSteal", "ProcStatus", "GoCreate",
        "GoCreateSyscall", "GoStart", "GoDestroy", "GoDestroySyscall", "GoStop", "GoBlock",
        "GoUnblock", "GoSyscallBegin", "GoSyscallEnd", "GoSyscallEndBlocked", "GoStatus",
        "STWBegin", "STWEnd", "GCActive", "GCBegin", "GCEnd", "GCSweepActive", "GCSweepBegin",
        "GCSweepEnd", "GCMarkAssistActive", "GCMarkAssistBegin", "GCMarkAssistEnd", "HeapAlloc",
        "HeapGoal", "GoLabel", "UserTaskBegin", "UserTaskEnd", "UserRegionBegin", "UserRegionEnd",
        "UserLog", "GoSwitch", "GoSwitchDestroy", "GoCreateBlocked", "GoStatusStack",
        "ExperimentalBatch",
    };

    // Argument counts of the timed events, timestamp delta included (Go's Spec.Args length).
    private static final byte[] ARGS = new byte[LIMIT];
    static {
        ARGS[PROCS_CHANGE] = 3; ARGS[PROC_START] = 3; ARGS[PROC_STOP] = 1; ARGS[PROC_STEAL] = 4;
        ARGS[PROC_STATUS] = 3; ARGS[GO_CREATE] = 4; ARGS[GO_CREATE_SYSCALL] = 2; ARGS[GO_START] = 3;
        ARGS[GO_DESTROY] = 1; ARGS[GO_DESTROY_SYSCALL] = 1; ARGS[GO_STOP] = 3; ARGS[GO_BLOCK] = 3;
        ARGS[GO_UNBLOCK] = 4; ARGS[GO_SYSCALL_BEGIN] = 3; ARGS[GO_SYSCALL_END] = 1;
        ARGS[GO_SYSCALL_END_BLOCKED] = 1; ARGS[GO_STATUS] = 4; ARGS[STW_BEGIN] = 3; ARGS[STW_END] = 1;
        ARGS[GC_ACTIVE] = 2; ARGS[GC_BEGIN] = 3; ARGS[GC_END] = 2; ARGS[GC_SWEEP_ACTIVE] = 2;
        ARGS[GC_SWEEP_BEGIN] = 2; ARGS[GC_SWEEP_END] = 3; ARGS[GC_MARK_ASSIST_ACTIVE] = 2;
        ARGS[GC_MARK_ASSIST_BEGIN] = 2; ARGS[GC_MARK_ASSIST_END] = 1; ARGS[HEAP_ALLOC] = 2;
        ARGS[HEAP_GOAL] = 2; ARGS[GO_LABEL] = 2; ARGS[USER_TASK_BEGIN] = 5; ARGS[USER_TASK_END] = 3;
        ARGS[USER_REGION_BEGIN] = 4; ARGS[USER_REGION_END] = 4; ARGS[USER_LOG] = 5;
        ARGS[GO_SWITCH] = 3; ARGS[GO_SWITCH_DESTROY] = 3; ARGS[GO_CREATE_BLOCKED] = 4;
        ARGS[GO_STATUS_STACK] = 5;
    }

    /** True for the events that live in per-M batches and carry a timestamp delta. */
    public static boolean isTimed(int type) {
        return type > 0 && type < LIMIT && ARGS[type] > 0;
    }

    /** Number of uvarint arguments of a timed event, its timestamp delta included. */
    public static int argCount(int type) {
        return ARGS[type];
    }

    public static String name(int type) {
        return type >= 0 && type < LIMIT ? NAMES[type] : "Invalid(" + type + ")";
    }

    /** Largest stack the parser accepts (Go's MaxFramesPerStack). */
    public static final int MAX_FRAMES_PER_STACK = 128;
    /** Largest string the parser accepts, in bytes (Go's MaxStringSize). */
    public static final int MAX_STRING_SIZE = 1 << 10;

    /** Batch M id for batches not tied to a thread (Go's NoThread, -1 as a uvarint). */
    public static final long NO_THREAD = -1L;
}
