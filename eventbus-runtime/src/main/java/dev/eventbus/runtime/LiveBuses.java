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
        Thread hook = Thread.ofPlatform().name("eventbus-shutdown-hook").unstarted(() -> {
            for (RuntimeEventBus bus : List.copyOf(LIVE)) {
                bus.shutdown(true);
            }
        });
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException shutdownInProgress) {
            // The first bus is made in a shutdown hook (to report or flush at exit): too late for a hook of our own,
            // and the JVM is ending anyway. Failing this class's initialization failed that bus with an
            // ExceptionInInitializerError (and every later one with NoClassDefFoundError) after its threads started.
        }
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
