package dev.eventbus.runtime;

import dev.eventbus.EventBus;
import dev.eventbus.EventFactory;
import dev.eventbus.EventHandler;

import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** Small helpers for the runtime's own tests. */
final class TestBuses {

    private TestBuses() {
    }

    static EventFactory factory(String type, Supplier<? extends EventHandler> handler) {
        EventFactory factory = new EventFactory();
        factory.registerEventType(type, handler);
        return factory;
    }

    static RuntimeEventBus bus(int threads, EventFactory factory) {
        return (RuntimeEventBus) EventBus.builder().threads(threads).factory(factory).build();
    }

    /** Names of live threads that belong to the given bus. */
    static Set<String> threadsOf(RuntimeEventBus bus) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith(bus.name() + "-"))
                .collect(Collectors.toSet());
    }
}
