package dev.eventbus.runtime;

import dev.eventbus.EventBusShutdownException;
import dev.eventbus.ExecutionMode;
import dev.eventbus.InvalidEventException;
import dev.eventbus.spi.EventBusConfig;
import dev.eventbus.spi.ExecutionModeProvider;
import dev.eventbus.spi.ModeExecutor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The execution modes of one bus: the providers found through {@link ServiceLoader} (SYNC and THREAD included), and
 * their executors, created on first use and closed with the bus.
 */
final class ModeRegistry {

    private static volatile List<ExecutionModeProvider> discovered;

    private final Map<ExecutionMode, ExecutionModeProvider> providers;
    private final EventBusConfig config;
    private final ConcurrentHashMap<ExecutionMode, ModeExecutor> executors = new ConcurrentHashMap<>();
    private boolean closed; // guarded by this

    ModeRegistry(List<ExecutionModeProvider> providers, EventBusConfig config) {
        this.providers = byMode(providers);
        this.config = config;
    }

    /** The providers on the module path and class path, found once; a provider that fails to load is skipped. */
    static List<ExecutionModeProvider> discovered() {
        List<ExecutionModeProvider> found = discovered;
        if (found == null) {
            found = load(ServiceLoader.load(ExecutionModeProvider.class, ModeRegistry.class.getClassLoader()));
            discovered = found;
        }
        return found;
    }

    static List<ExecutionModeProvider> load(ServiceLoader<ExecutionModeProvider> loader) {
        List<ExecutionModeProvider> found = new ArrayList<>();
        var it = loader.stream().iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next().get());
            } catch (ServiceConfigurationError e) {
                RuntimeEventBus.LOG.log(System.Logger.Level.WARNING,
                        "Skipping an ExecutionModeProvider that cannot be loaded", e);
            }
        }
        return List.copyOf(found);
    }

    private static Map<ExecutionMode, ExecutionModeProvider> byMode(List<ExecutionModeProvider> providers) {
        Map<ExecutionMode, ExecutionModeProvider> map = new LinkedHashMap<>();
        for (ExecutionModeProvider provider : providers) {
            ExecutionMode mode = provider.mode();
            ExecutionModeProvider previous = map.putIfAbsent(mode, provider);
            if (previous != null && previous.getClass() != provider.getClass()) {
                throw new IllegalStateException("Two providers for execution mode " + mode + ": "
                        + previous.getClass().getName() + " and " + provider.getClass().getName()
                        + "; keep only one on the path");
            }
        }
        return Map.copyOf(map);
    }

    /** Returns the mode's executor, creating it on first use. */
    ModeExecutor executor(ExecutionMode mode) {
        ModeExecutor executor = executors.get(mode);
        return executor != null ? executor : create(mode);
    }

    private synchronized ModeExecutor create(ExecutionMode mode) {
        ModeExecutor executor = executors.get(mode);
        if (executor != null) {
            return executor;
        }
        if (closed) {
            throw new EventBusShutdownException("The EventBus is shut down: it accepts no more events");
        }
        ExecutionModeProvider provider = providers.get(mode);
        if (provider == null) {
            throw new InvalidEventException("Execution mode " + mode + " is not available"
                    + mode.builtInArtifact().map(a -> ": add the artifact dev.eventbus:" + a
                            + " to the class path or module path")
                    .orElse(": no ExecutionModeProvider for '" + mode.name() + "' was found on the class path or"
                            + " module path; available: " + providers.keySet()));
        }
        executor = provider.create(config);
        executors.put(mode, executor);
        return executor;
    }

    /**
     * Closes every executor created so far; later lookups fail.
     *
     * @param immediately whether the bus is shutting down immediately
     */
    void closeAll(boolean immediately) {
        List<ModeExecutor> toClose;
        synchronized (this) {
            closed = true;
            toClose = List.copyOf(executors.values());
        }
        for (ModeExecutor executor : toClose) {
            try {
                executor.close(immediately);
            } catch (RuntimeException | Error e) {
                // A plugin's failure, an Error included (a class it needs is missing): the other modes are closed
                // and the bus's shutdown completes all the same. Logged lazily and guarded: toString() is the
                // plugin's too.
                QuietLog.log(System.Logger.Level.WARNING, () -> "Closing " + executor + " failed", e);
            }
        }
    }
}
