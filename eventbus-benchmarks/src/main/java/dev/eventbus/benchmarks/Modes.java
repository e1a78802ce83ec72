package dev.eventbus.benchmarks;

import dev.eventbus.ExecutionMode;
import dev.eventbus.spi.EventBusProvider;
import dev.eventbus.spi.ExecutionModeProvider;

import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Tells which parts of eventbus are on the path, through the same {@link ServiceLoader} discovery the bus uses, so
 * that benchmarks of a mode whose module is still missing are skipped with a message instead of failing.
 *
 * <p>Thread-safe (stateless).
 */
public final class Modes {

    private Modes() {
    }

    /**
     * Returns whether a runtime ({@link EventBusProvider}) is on the path.
     *
     * @return true if {@code EventBus.builder().build()} can work
     */
    public static boolean runtimeAvailable() {
        try {
            return ServiceLoader.load(EventBusProvider.class).stream().findAny().isPresent();
        } catch (ServiceConfigurationError e) {
            return false;
        }
    }

    /**
     * Returns whether the runtime and a provider of the given mode are on the path.
     *
     * @param mode the execution mode
     * @return true if events of that mode can run here
     */
    public static boolean available(ExecutionMode mode) {
        if (!runtimeAvailable()) {
            return false;
        }
        try {
            return ServiceLoader.load(ExecutionModeProvider.class).stream()
                    .anyMatch(p -> {
                        try {
                            return mode.equals(p.get().mode());
                        } catch (ServiceConfigurationError e) {
                            return false;
                        }
                    });
        } catch (ServiceConfigurationError e) {
            return false;
        }
    }

    /**
     * Throws unless the mode can run here; benchmarks call this in their {@code @Setup}.
     *
     * @param mode the execution mode
     * @param artifact the artifact that provides it
     * @throws IllegalStateException naming the missing artifact
     */
    public static void require(ExecutionMode mode, String artifact) {
        if (!available(mode)) {
            throw new IllegalStateException("Execution mode " + mode + " is not available: put " + artifact
                    + " (with a working provider) on the class path to run this benchmark");
        }
    }
}
