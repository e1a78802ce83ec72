package dev.eventbus.cmd.internal;

import dev.eventbus.ExecutionMode;
import dev.eventbus.spi.EventBusConfig;
import dev.eventbus.spi.ExecutionModeProvider;
import dev.eventbus.spi.ModeExecutor;

/**
 * Provides the {@link ExecutionMode#CMD CMD} mode: found by the runtime through {@link java.util.ServiceLoader}.
 * Stateless and thread-safe.
 */
public final class CmdModeProvider implements ExecutionModeProvider {

    /** Creates the provider; called by {@link java.util.ServiceLoader}. */
    public CmdModeProvider() {
    }

    @Override
    public ExecutionMode mode() {
        return ExecutionMode.CMD;
    }

    @Override
    public ModeExecutor create(EventBusConfig config) {
        return new CmdExecutor(config.cmdOutputCap(), Launchers.preferred());
    }
}
