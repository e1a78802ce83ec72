package dev.eventbus;

import java.io.Serial;
import java.util.OptionalInt;

/**
 * A CORELET worker JVM died while it ran an event (a crash, {@code System.exit}, an {@link OutOfMemoryError}, a
 * signal). Retried like any exception; the next attempt gets a fresh worker.
 */
public class CoreletCrashedException extends EventBusException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final Integer exitCode;

    /**
     * Creates the exception.
     *
     * @param message what happened, naming the worker's pid
     * @param exitCode the worker's exit code, or null if unknown
     */
    public CoreletCrashedException(String message, Integer exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    /**
     * Returns the worker's exit code, if it was known when the crash was reported.
     *
     * @return the exit code, or empty
     */
    public OptionalInt exitCode() {
        return exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
    }
}
