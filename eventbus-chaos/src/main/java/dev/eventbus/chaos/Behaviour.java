package dev.eventbus.chaos;

import dev.eventbus.ExecutionMode;

import java.util.Set;

/**
 * What a chaos handler (or command) does in every attempt, and so which final result and attempt count it must get.
 * Stateless.
 */
public enum Behaviour {
    /** Returns a success. */
    SUCCEED(Outcome.SUCCESS, false, Set.of(ExecutionMode.SYNC, ExecutionMode.THREAD, ExecutionMode.CORELET)),
    /** Returns a business failure (success false, no exception). */
    FAIL_BUSINESS(Outcome.BUSINESS_FAILURE, false, Set.of(ExecutionMode.SYNC, ExecutionMode.THREAD,
            ExecutionMode.CORELET)),
    /** Throws {@link ChaosException}: retried. */
    THROW(Outcome.THROWN, false, Set.of(ExecutionMode.SYNC, ExecutionMode.THREAD, ExecutionMode.CORELET)),
    /** Returns {@code EventResult.exceptionResult}: final. */
    RETURN_EXCEPTION(Outcome.RETURNED_EXCEPTION, false, Set.of(ExecutionMode.SYNC, ExecutionMode.THREAD,
            ExecutionMode.CORELET)),
    /** Returns null: a failure, retried. */
    RETURN_NULL(Outcome.NULL, false, Set.of(ExecutionMode.SYNC, ExecutionMode.THREAD, ExecutionMode.CORELET)),
    /** Sleeps far past its timeout, interruptibly. */
    HANG(Outcome.TIMEOUT, true, Set.of(ExecutionMode.SYNC, ExecutionMode.THREAD, ExecutionMode.CORELET)),
    /** Ignores interruption until twice its timeout has passed, then returns a success that must be ignored. */
    IGNORE_INTERRUPT(Outcome.TIMEOUT, true, Set.of(ExecutionMode.SYNC, ExecutionMode.THREAD,
            ExecutionMode.CORELET)),
    /** Prints to stdout and stderr, then succeeds. */
    PRINT(Outcome.SUCCESS, false, Set.of(ExecutionMode.SYNC, ExecutionMode.THREAD, ExecutionMode.CORELET)),
    /** Allocates until OutOfMemoryError (the worker JVM exits: a crash). */
    OOM(Outcome.CRASH, false, Set.of(ExecutionMode.CORELET)),
    /** Calls System.exit(7) in the worker. */
    EXIT(Outcome.CRASH, false, Set.of(ExecutionMode.CORELET)),
    /** Calls Runtime.halt(9) in the worker. */
    HALT(Outcome.CRASH, false, Set.of(ExecutionMode.CORELET)),
    /** Announces its worker's pid and waits: the external killer SIGKILLs the worker (or the attempt times out). */
    VICTIM(Outcome.CRASH_OR_TIMEOUT, true, Set.of(ExecutionMode.CORELET)),
    /** {@code sh -c 'exit 0'}. */
    CMD_OK(Outcome.SUCCESS, false, Set.of(ExecutionMode.CMD)),
    /** Prints to both streams, exit 0. */
    CMD_PRINT(Outcome.SUCCESS, false, Set.of(ExecutionMode.CMD)),
    /** {@code exit 3}: a business failure carrying the CmdResult. */
    CMD_FAIL(Outcome.BUSINESS_FAILURE, false, Set.of(ExecutionMode.CMD)),
    /** {@code sleep 30}: killed at the timeout. */
    CMD_HANG(Outcome.TIMEOUT, true, Set.of(ExecutionMode.CMD)),
    /** {@code sleep 30 & sleep 30}: the whole tree is killed at the timeout. */
    CMD_GRANDCHILDREN(Outcome.TIMEOUT, true, Set.of(ExecutionMode.CMD)),
    /** An executable that does not exist: a final launch failure, never run. */
    CMD_MISSING(Outcome.LAUNCH_FAILURE, false, Set.of(ExecutionMode.CMD));

    /** The kind of final result a behaviour must produce. */
    public enum Outcome {
        SUCCESS, BUSINESS_FAILURE, THROWN, RETURNED_EXCEPTION, NULL, TIMEOUT, CRASH, CRASH_OR_TIMEOUT, LAUNCH_FAILURE;

        /** Whether each attempt fails in a way that the bus retries: then attempts = maxRetries + 1. */
        boolean retried() {
            return this == THROWN || this == NULL || this == TIMEOUT || this == CRASH || this == CRASH_OR_TIMEOUT;
        }
    }

    private final Outcome outcome;
    private final boolean slow;
    private final Set<ExecutionMode> modes;

    Behaviour(Outcome outcome, boolean slow, Set<ExecutionMode> modes) {
        this.outcome = outcome;
        this.slow = slow;
        this.modes = modes;
    }

    /** The final result this behaviour must produce. */
    public Outcome outcome() {
        return outcome;
    }

    /** Whether every attempt runs until its timeout (or a kill). */
    public boolean slow() {
        return slow;
    }

    /** The modes this behaviour is used in. */
    public Set<ExecutionMode> modes() {
        return modes;
    }
}
