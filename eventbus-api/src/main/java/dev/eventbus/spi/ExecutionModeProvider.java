package dev.eventbus.spi;

import dev.eventbus.ExecutionMode;

/**
 * Adds an execution mode to every bus: found by the runtime through {@link java.util.ServiceLoader}. The built-in
 * SYNC and THREAD modes come through here too. Two providers for the same mode are an error naming both.
 *
 * <p>Implementations must be thread-safe and cheap to create: the bus calls {@link #create(EventBusConfig)} the
 * first time an event of the mode is published, not before.
 */
public interface ExecutionModeProvider {

    /**
     * Returns the mode this provider implements.
     *
     * @return the mode
     */
    ExecutionMode mode();

    /**
     * Creates this mode's executor for one bus. It is closed when the bus shuts down.
     *
     * @param config the bus's settings
     * @return the executor
     */
    ModeExecutor create(EventBusConfig config);
}
