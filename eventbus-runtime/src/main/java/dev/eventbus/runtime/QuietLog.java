package dev.eventbus.runtime;

import java.util.function.Supplier;

/**
 * The bus's log calls where a throw would strand what it is doing: around a handler, in a stop, in a store. A logging
 * backend can fail (a filter or handler that throws, no memory for the message), and a message's parts are user
 * objects whose {@code toString()} may throw: such a failure once cost events their retries, their results or their
 * workers. Stateless and thread-safe.
 */
final class QuietLog {

    private QuietLog() {
    }

    /** Logs to the bus's logger, and never throws; {@code thrown} may be null. */
    static void log(System.Logger.Level level, Supplier<String> message, Throwable thrown) {
        log(RuntimeEventBus.LOG, level, message, thrown);
    }

    /** Logs, and never throws; {@code thrown} may be null. */
    static void log(System.Logger logger, System.Logger.Level level, Supplier<String> message, Throwable thrown) {
        try {
            logger.log(level, message, thrown);
        } catch (Throwable logFailure) {
            // the work around the log call goes on
        }
    }

    /** ERROR for a {@link VirtualMachineError}, which must not pass unnoticed; WARNING for anything else. */
    static System.Logger.Level levelOf(Throwable t) {
        return t instanceof VirtualMachineError ? System.Logger.Level.ERROR : System.Logger.Level.WARNING;
    }
}
