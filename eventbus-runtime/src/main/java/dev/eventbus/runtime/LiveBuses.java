package dev.eventbus.runtime;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every bus not yet terminated, so that one JVM shutdown hook can stop them all (and with them every worker
 * process and command) when the JVM exits.
 */
final class LiveBuses {

    private static final Set<RuntimeEventBus> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("eventbus-shutdown-hook").unstarted(() -> {
            for (RuntimeEventBus bus : List.copyOf(LIVE)) {
                bus.shutdown(true);
            }
        }));
    }

    private LiveBuses() {
    }

    static void register(RuntimeEventBus bus) {
        LIVE.add(bus);
    }

    static void unregister(RuntimeEventBus bus) {
        LIVE.remove(bus);
    }

    static int count() {
        return LIVE.size();
    }
}
