package dev.eventbus.corelet.internal;

import java.util.function.Supplier;

/**
 * The pool's log calls, which never throw. A logging backend can fail (a filter or handler that throws, no memory for
 * the message), and the pool logs where a throw strands what it was doing: the stop of a timed-out attempt logged the
 * worker's termination before it signalled the worker, and a failure there left the worker running for ever, the
 * attempt's thread waiting for its reply and the pool a slot short; the idle sweeper's would have ended the sweeping,
 * close()'s left the pool half closed. As the runtime contains its log calls around handlers, so does this mode.
 * Stateless and thread-safe.
 */
final class QuietLog {

    private QuietLog() {
    }

    static void log(System.Logger log, System.Logger.Level level, String message) {
        try {
            log.log(level, message);
        } catch (Throwable logFailure) {
            // the work around the log call goes on
        }
    }

    static void log(System.Logger log, System.Logger.Level level, Supplier<String> message) {
        try {
            log.log(level, message);
        } catch (Throwable logFailure) {
            // the work around the log call goes on
        }
    }

    static void log(System.Logger log, System.Logger.Level level, String format, Object... params) {
        try {
            log.log(level, format, params);
        } catch (Throwable logFailure) {
            // the work around the log call goes on
        }
    }

    static void log(System.Logger log, System.Logger.Level level, String message, Throwable thrown) {
        try {
            log.log(level, message, thrown);
        } catch (Throwable logFailure) {
            // the work around the log call goes on
        }
    }
}
