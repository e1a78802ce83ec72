package dev.eventbus;

import java.io.Serial;

/**
 * No handler is registered for an event type. Thrown by {@code publish} for an unknown type (CMD events need no
 * handler) and by {@link EventFactory#createHandler(String)}.
 */
public class NoHandlerAvailableException extends EventBusException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final String eventType;

    /**
     * Creates the exception for a type.
     *
     * @param eventType the type that has no handler
     */
    public NoHandlerAvailableException(String eventType) {
        super("No handler available for event type: " + eventType);
        this.eventType = eventType;
    }

    /**
     * Returns the event type that has no handler.
     *
     * @return the type
     */
    public String eventType() {
        return eventType;
    }
}
