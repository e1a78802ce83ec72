package dev.eventbus.corelet.internal;

import dev.eventbus.ExecutionMode;
import dev.eventbus.spi.EventBusConfig;
import dev.eventbus.spi.ExecutionModeProvider;
import dev.eventbus.spi.ModeExecutor;

import java.util.Objects;

/**
 * Provides {@link ExecutionMode#CORELET}: handlers run in pooled, crash-isolated worker JVMs. Found by the runtime
 * through {@link java.util.ServiceLoader}. Stateless and thread-safe; each bus gets its own pool.
 */
public final class CoreletModeProvider implements ExecutionModeProvider {

    /** Creates the provider; called by {@link java.util.ServiceLoader}. */
    public CoreletModeProvider() {
    }

    @Override
    public ExecutionMode mode() {
        return ExecutionMode.CORELET;
    }

    @Override
    public ModeExecutor create(EventBusConfig config) {
        return new CoreletExecutor(Objects.requireNonNull(config, "config"));
    }
}
