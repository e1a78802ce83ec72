package dev.eventbus;

import java.io.Serial;

/**
 * The exception of a result whose event was dropped or interrupted by {@link EventBus#shutdown(boolean) shutdown(true)}.
 */
public class EventCancelledException extends EventBusException {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened, naming the event or value concerned
     */
    public EventCancelledException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what happened, naming the event or value concerned
     * @param cause the underlying failure
     */
    public EventCancelledException(String message, Throwable cause) {
        super(message, cause);
    }
}
