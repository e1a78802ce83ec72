package dev.eventbus.runtime;

import dev.eventbus.Event;
import dev.eventbus.EventBus;
import dev.eventbus.EventFactory;
import dev.eventbus.EventHandler;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;
import dev.eventbus.spi.Attempt;
import dev.eventbus.spi.EventBusConfig;
import dev.eventbus.spi.ExecutionModeProvider;
import dev.eventbus.spi.ModeExecutor;

import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** Small helpers for the runtime's own tests. */
final class TestBuses {

    private TestBuses() {
    }

    /**
     * Waits until {@code release} opens, ignoring every interrupt: what a handler that the bus must abandon on its
     * timeout does.
     */
    static void awaitIgnoringInterrupts(CountDownLatch release) {
        while (release.getCount() > 0) {
            try {
                release.await();
            } catch (InterruptedException ignored) {
                // ignored on purpose: see above
            }
        }
    }

    static EventFactory factory(String type, Supplier<? extends EventHandler> handler) {
        EventFactory factory = new EventFactory();
        factory.registerEventType(type, handler);
        return factory;
    }

    static RuntimeEventBus bus(int threads, EventFactory factory) {
        return (RuntimeEventBus) EventBus.builder().threads(threads).factory(factory).build();
    }

    /** What a test mode runs for an attempt. */
    @FunctionalInterface
    interface Execution {
        EventResult execute(Event event, Attempt attempt) throws Exception;
    }

    /** A plugin mode whose executor runs {@code execution} for each attempt, and {@code onClose} when closed. */
    static ExecutionModeProvider mode(ExecutionMode mode, Execution execution, Runnable onClose) {
        return new ExecutionModeProvider() {
            @Override
            public ExecutionMode mode() {
                return mode;
            }

            @Override
            public ModeExecutor create(EventBusConfig config) {
                return new ModeExecutor() {
                    @Override
                    public void validate(Event event) {
                    }

                    @Override
                    public EventResult execute(Event event, Attempt attempt) throws Exception {
                        return execution.execute(event, attempt);
                    }

                    @Override
                    public void close() {
                        onClose.run();
                    }
                };
            }
        };
    }

    /** A plugin mode whose events all succeed, and whose executor's {@code close()} runs {@code onClose}. */
    static ExecutionModeProvider succeedingMode(String name, Runnable onClose) {
        return mode(new ExecutionMode(name), (event, attempt) -> EventResult.businessResult(event.id(), true, null),
                onClose);
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
