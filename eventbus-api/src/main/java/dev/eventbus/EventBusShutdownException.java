package dev.eventbus;

import java.io.Serial;

/**
 * Thrown by {@code publish} and {@code submit} once {@link EventBus#shutdown()} has been called.
 */
public class EventBusShutdownException extends EventBusException {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened, naming the event or value concerned
     */
    public EventBusShutdownException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what happened, naming the event or value concerned
     * @param cause the underlying failure
     */
    public EventBusShutdownException(String message, Throwable cause) {
        super(message, cause);
    }
}
