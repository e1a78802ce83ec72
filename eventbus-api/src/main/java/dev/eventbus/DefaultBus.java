package dev.eventbus;

import dev.eventbus.spi.EventBusProvider;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/** Holds the process-wide default bus and finds the runtime. */
final class DefaultBus {

    private static final System.Logger LOG = System.getLogger(EventBus.class.getName());
    private static final Object LOCK = new Object();
    private static EventBus instance; // guarded by LOCK
    private static volatile EventBusProvider provider;

    private DefaultBus() {
    }

    static EventBus get() {
        synchronized (LOCK) {
            if (instance == null || instance.isShutdown()) {
                instance = EventBus.builder().build();
            }
            return instance;
        }
    }

    static EventBus install(EventBus.Builder builder) {
        synchronized (LOCK) {
            if (instance != null && !instance.isShutdown()) {
                throw new IllegalStateException("A default EventBus is already installed and running: shut it down"
                        + " before installing another");
            }
            instance = builder.build();
            return instance;
        }
    }

    static EventBusProvider provider() {
        EventBusProvider p = provider;
        if (p == null) {
            p = find(ServiceLoader.load(EventBusProvider.class));
            provider = p;
        }
        return p;
    }

    /** Picks the one runtime on the path; a seam for tests. */
    static EventBusProvider find(ServiceLoader<EventBusProvider> loader) {
        List<EventBusProvider> found = new ArrayList<>();
        var providers = loader.stream().iterator();
        while (true) {
            try {
                if (!providers.hasNext()) {
                    break;
                }
                found.add(providers.next().get());
            } catch (ServiceConfigurationError e) {
                LOG.log(System.Logger.Level.WARNING, "Skipping an EventBusProvider that cannot be loaded", e);
            }
        }
        if (found.isEmpty()) {
            throw new IllegalStateException("No eventbus runtime found: add the artifact dev.eventbus:eventbus-runtime"
                    + " to the class path or module path");
        }
        if (found.size() > 1) {
            throw new IllegalStateException("More than one eventbus runtime found: "
                    + found.stream().map(x -> x.getClass().getName()).toList() + "; keep only one on the path");
        }
        return found.getFirst();
    }
}
