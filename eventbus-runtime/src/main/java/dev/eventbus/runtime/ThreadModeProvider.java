package dev.eventbus.runtime;

import dev.eventbus.ExecutionMode;
import dev.eventbus.spi.EventBusConfig;
import dev.eventbus.spi.ExecutionModeProvider;
import dev.eventbus.spi.ModeExecutor;

/**
 * The THREAD mode: handlers run on the bus's worker threads, fed by the priority queue. Found through
 * {@link java.util.ServiceLoader} like any third-party mode.
 */
public final class ThreadModeProvider implements ExecutionModeProvider {

    /** Creates the provider (called by {@link java.util.ServiceLoader}). */
    public ThreadModeProvider() {
    }

    @Override
    public ExecutionMode mode() {
        return ExecutionMode.THREAD;
    }

    @Override
    public ModeExecutor create(EventBusConfig config) {
        return new LocalExecutor(config.factory(), false);
    }
}
