package dev.loomtracer.engine;

import dev.loomtracer.format.Status;

/**
 * The tracer's view of one goroutine: a Java thread (virtual, or platform when it emits events).
 *
 * <p>Invariant: {@code status} is the G's state as the trace has told it so far (a Go status
 * code); it changes only together with the event that tells the change, on the thread that
 * writes that event. {@code id} is the thread's {@code threadId()}.
 */
final class GState extends SchedResource {
    final Thread thread;
    final long id;
    /** Read racily by the advancer's status sweep; the status CAS makes a stale read harmless. */
    volatile int status;
    /** Whether any generation of this session has mentioned the G. */
    boolean known;

    GState(Thread thread, int status) {
        this.thread = thread;
        this.id = thread.threadId();
        this.status = status;
    }

    boolean isOnM() {
        int s = status;
        return s == Status.GO_RUNNING || s == Status.GO_SYSCALL;
    }
}
