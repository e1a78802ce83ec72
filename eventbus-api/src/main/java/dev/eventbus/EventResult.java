package dev.eventbus;

import java.util.Objects;

/**
 * The outcome of an event: a business result (success or failure, with data) or an exception.
 *
 * <p>A result carries the id of its event. A business result has no exception; an exception result is never a
 * success. Immutable and thread-safe when its data is.
 *
 * @param eventId the id of the event this result belongs to
 * @param success true for a successful business result
 * @param data the handler's data (a {@code CmdResult} in CMD mode), or null
 * @param exception the exception of a failed event, or null for a business result
 */
public record EventResult(String eventId, boolean success, Object data, Throwable exception) {

    /**
     * Validates the result.
     *
     * @throws NullPointerException if {@code eventId} is null
     * @throws IllegalArgumentException if a result is both successful and carries an exception
     */
    public EventResult {
        Objects.requireNonNull(eventId, "eventId");
        if (success && exception != null) {
            throw new IllegalArgumentException("A successful result cannot carry an exception: " + exception);
        }
    }

    /**
     * A result returned by a handler: success or business failure, neither retried.
     *
     * @param eventId the event's id
     * @param success whether the business operation succeeded
     * @param data the outcome's data, may be null
     * @return the result
     * @throws NullPointerException if {@code eventId} is null
     */
    public static EventResult businessResult(String eventId, boolean success, Object data) {
        return new EventResult(eventId, success, data, null);
    }

    /**
     * A failed result carrying an exception. Returned by a handler, it is final (not retried).
     *
     * @param eventId the event's id
     * @param exception the failure
     * @return the result, never a success
     * @throws NullPointerException if an argument is null
     */
    public static EventResult exceptionResult(String eventId, Throwable exception) {
        return new EventResult(eventId, false, null, Objects.requireNonNull(exception, "exception"));
    }

    /**
     * Returns whether this result carries an exception rather than a business outcome.
     *
     * @return true for an exception result
     */
    public boolean isException() {
        return exception != null;
    }
}
