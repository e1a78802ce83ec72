package dev.eventbus.runtime;

import dev.eventbus.ExecutionMode;
import dev.eventbus.spi.EventBusConfig;
import dev.eventbus.spi.ExecutionModeProvider;
import dev.eventbus.spi.ModeExecutor;

/**
 * The SYNC mode: handlers run in the publishing thread, with no bus-wide lock held. Found through
 * {@link java.util.ServiceLoader} like any third-party mode.
 */
public final class SyncModeProvider implements ExecutionModeProvider {

    /** Creates the provider (called by {@link java.util.ServiceLoader}). */
    public SyncModeProvider() {
    }

    @Override
    public ExecutionMode mode() {
        return ExecutionMode.SYNC;
    }

    @Override
    public ModeExecutor create(EventBusConfig config) {
        return new LocalExecutor(config.factory(), true);
    }
}
