package dev.eventbus;

import java.io.Serial;

/**
 * An event cannot be dispatched as given: its mode's module is missing, its CORELET data cannot be serialized, its
 * CORELET handler was registered as a lambda, its CMD data is malformed, and so on. Thrown by {@code publish} and
 * {@code submit} before anything is queued. What only a CORELET worker JVM can find out (its class path lacks the
 * handler's class or a class of the data) comes back instead as the exception of the event's result, not retried.
 */
public class InvalidEventException extends EventBusException {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened, naming the event or value concerned
     */
    public InvalidEventException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what happened, naming the event or value concerned
     * @param cause the underlying failure
     */
    public InvalidEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
