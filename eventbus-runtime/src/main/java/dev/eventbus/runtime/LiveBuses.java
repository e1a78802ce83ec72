package dev.eventbus.runtime;

import java.util.ArrayList;
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
        Thread hook = Thread.ofPlatform().name("eventbus-shutdown-hook").unstarted(LiveBuses::stopAll);
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

    /**
     * Stops every live bus at once, each in a thread of its own: an immediate shutdown can take seconds (the grace of
     * a CORELET worker's terminate(), a command's SIGTERM), and one bus after another made the JVM's exit wait for the
     * sum of them.
     */
    private static void stopAll() {
        List<Thread> stopping = new ArrayList<>();
        for (RuntimeEventBus bus : List.copyOf(LIVE)) {
            try {
                stopping.add(Thread.ofPlatform().name("eventbus-exit-" + bus.name()).start(() -> bus.shutdown(true)));
            } catch (Throwable noThread) { // the system allows no more threads: stop it here
                bus.shutdown(true);
            }
        }
        boolean interrupted = false;
        for (Thread thread : stopping) {
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
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
