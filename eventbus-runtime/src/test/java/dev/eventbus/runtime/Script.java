package dev.eventbus.runtime;

import java.io.Serial;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * What {@link ScriptHandler} does with an event: the behaviour suite's handlers are scripted by the event's data,
 * so the same handler class runs in every mode, worker JVMs included. Attempts and terminations are recorded in
 * files under {@code dir}, which every process can see.
 *
 * @param action what to do
 * @param millis how long to sleep, for the sleeping actions
 * @param failures how many attempts fail before one succeeds, for {@code fail-then-succeed}
 * @param dir where attempts are recorded, or null
 * @param payload the echoed payload, or a file path for the file-based actions
 */
public record Script(String action, long millis, int failures, String dir, String payload) implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    public static Script echo(Path dir, String payload) {
        return new Script("echo", 0, 0, dir.toString(), payload);
    }

    public static Script businessFailure(Path dir, String payload) {
        return new Script("business-failure", 0, 0, dir.toString(), payload);
    }

    public static Script throwing(Path dir) {
        return new Script("throw", 0, 0, dir.toString(), null);
    }

    public static Script failThenSucceed(Path dir, int failures) {
        return new Script("fail-then-succeed", 0, failures, dir.toString(), null);
    }

    public static Script returningNull(Path dir) {
        return new Script("null", 0, 0, dir.toString(), null);
    }

    public static Script returningExceptionResult(Path dir) {
        return new Script("exception-result", 0, 0, dir.toString(), null);
    }

    /**
     * Attempt 1 sets its thread's interrupt flag and throws; later attempts succeed with whether they started with
     * the flag set as their data.
     */
    public static Script interruptingThenReporting(Path dir) {
        return new Script("interrupt-then-report", 0, 0, dir.toString(), null);
    }

    public static Script sleeping(Path dir, long millis) {
        return new Script("sleep", millis, 0, dir.toString(), null);
    }

    public static Script ignoringInterrupts(Path dir, long millis) {
        return new Script("ignore-interrupt", millis, 0, dir.toString(), null);
    }

    /** Waits (up to the event's timeout) until {@code gate} exists, then records {@code label} in {@code dir/order}. */
    public static Script gated(Path dir, Path gate, String label) {
        return new Script("gated", 0, 0, dir.toString(), gate + "|" + label);
    }

    /** Records {@code label} in {@code dir/order}. */
    public static Script ordered(Path dir, String label) {
        return new Script("order", 0, 0, dir.toString(), label);
    }
}
