package dev.loomtracer.parse;

/**
 * A state change of a goroutine or a proc, as Go's {@code Event.StateTransition()} reports it.
 *
 * <p>Invariant: {@code from} and {@code to} are states of the resource's kind: goroutines use
 * UNDETERMINED, NOT_EXIST, RUNNABLE, RUNNING, WAITING, SYSCALL; procs use UNDETERMINED, NOT_EXIST,
 * RUNNING, IDLE. UNDETERMINED appears only in the first generation of a trace (status events of
 * things that existed before tracing started).
 */
public record Transition(Resource resource, long id, State from, State to) {

    public enum Resource {
        GOROUTINE("Goroutine"), PROC("Proc");

        private final String goName;

        Resource(String goName) {
            this.goName = goName;
        }

        /** The name Go's tools print. */
        public String goName() {
            return goName;
        }
    }

    public enum State {
        UNDETERMINED("Undetermined"), NOT_EXIST("NotExist"), RUNNABLE("Runnable"), RUNNING("Running"),
        WAITING("Waiting"), SYSCALL("Syscall"), IDLE("Idle");

        private final String goName;

        State(String goName) {
            this.goName = goName;
        }

        /** The name Go's tools print. */
        public String goName() {
            return goName;
        }

        /** Go's goroutine state for a GoStatus code (go122GoStatus2GoState; 0 maps to UNDETERMINED). */
        static State ofGoStatus(long status) {
            return switch ((int) status) {
                case 1 -> RUNNABLE;
                case 2 -> RUNNING;
                case 3 -> SYSCALL;
                case 4 -> WAITING;
                default -> UNDETERMINED;
            };
        }

        /** Go's proc state for a ProcStatus code (go122ProcStatus2ProcState). */
        static State ofProcStatus(long status) {
            return switch ((int) status) {
                case 1, 3 -> RUNNING;
                case 2, 4 -> IDLE;
                default -> UNDETERMINED;
            };
        }
    }

    @Override
    public String toString() {
        return resource.goName + "(" + id + ") " + from.goName + "->" + to.goName;
    }
}
