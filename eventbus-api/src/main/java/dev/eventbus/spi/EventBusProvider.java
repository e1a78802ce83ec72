package dev.eventbus.spi;

import dev.eventbus.EventBus;

/**
 * Creates buses: implemented by the runtime (artifact {@code eventbus-runtime}) and found by
 * {@link EventBus#builder()} through {@link java.util.ServiceLoader}. Exactly one must be on the path.
 *
 * <p>Implementations must be thread-safe.
 */
public interface EventBusProvider {

    /**
     * Creates a running bus.
     *
     * @param config the validated settings
     * @return the bus
     */
    EventBus create(EventBusConfig config);
}
