package dev.loomtracer.format;

/**
 * Goroutine and proc status codes of GoStatus and ProcStatus events (go122.GoStatus,
 * go122.ProcStatus). Writer and parser share them.
 */
public final class Status {
    private Status() {}

    public static final int GO_BAD = 0;
    public static final int GO_RUNNABLE = 1;
    public static final int GO_RUNNING = 2;
    public static final int GO_SYSCALL = 3;
    public static final int GO_WAITING = 4;

    public static final int PROC_BAD = 0;
    public static final int PROC_RUNNING = 1;
    public static final int PROC_IDLE = 2;
    public static final int PROC_SYSCALL = 3;
    public static final int PROC_SYSCALL_ABANDONED = 4;

    public static String goName(int s) {
        return switch (s) {
            case GO_RUNNABLE -> "Runnable";
            case GO_RUNNING -> "Running";
            case GO_SYSCALL -> "Syscall";
            case GO_WAITING -> "Waiting";
            default -> "Bad(" + s + ")";
        };
    }

    public static String procName(int s) {
        return switch (s) {
            case PROC_RUNNING -> "Running";
            case PROC_IDLE -> "Idle";
            case PROC_SYSCALL -> "Syscall";
            case PROC_SYSCALL_ABANDONED -> "SyscallAbandoned";
            default -> "Bad(" + s + ")";
        };
    }
}
