package dev.eventbus.chaos;

/** What a chaos handler throws (or returns as an exception result) on purpose. Immutable. */
public final class ChaosException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened, naming the event and attempt
     */
    public ChaosException(String message) {
        super(message);
    }
}
