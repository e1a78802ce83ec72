package dev.eventbus;

import java.io.Serial;

/**
 * The root of eventbus's unchecked exceptions. Misuse of the API throws the JDK's
 * {@link IllegalArgumentException}, {@link IllegalStateException} or {@link NullPointerException} instead.
 */
public class EventBusException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong and, where it helps, what to do
     */
    public EventBusException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what went wrong
     * @param cause the underlying failure
     */
    public EventBusException(String message, Throwable cause) {
        super(message, cause);
    }
}
