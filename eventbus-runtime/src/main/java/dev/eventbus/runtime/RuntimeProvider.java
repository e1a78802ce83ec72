package dev.eventbus.runtime;

import dev.eventbus.EventBus;
import dev.eventbus.spi.EventBusConfig;
import dev.eventbus.spi.EventBusProvider;

/** Creates {@link RuntimeEventBus} instances; found by {@link EventBus#builder()} through the ServiceLoader. */
public final class RuntimeProvider implements EventBusProvider {

    /** Creates the provider (called by {@link java.util.ServiceLoader}). */
    public RuntimeProvider() {
    }

    @Override
    public EventBus create(EventBusConfig config) {
        return new RuntimeEventBus(config, ModeRegistry.discovered());
    }
}
