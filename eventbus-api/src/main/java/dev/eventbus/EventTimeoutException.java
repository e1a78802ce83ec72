package dev.eventbus;

import java.io.Serial;

/**
 * The exception of a result whose last attempt ran out of time (see {@link Event#timeout()}).
 */
public class EventTimeoutException extends EventBusException {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened, naming the event or value concerned
     */
    public EventTimeoutException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what happened, naming the event or value concerned
     * @param cause the underlying failure
     */
    public EventTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
