package dev.eventbus.examples;

import dev.eventbus.Event;
import dev.eventbus.EventContext;
import dev.eventbus.EventFactory;
import dev.eventbus.EventHandler;
import dev.eventbus.EventResult;
import dev.eventbus.spi.EventHandlerProvider;

/**
 * The demo's handler plugin: registers its event types in {@link EventFactory#getDefault()} when that is first
 * used, on the module path (through {@code provides} in module-info) and on the class path (through
 * {@code META-INF/services}).
 */
public final class ExampleHandlers implements EventHandlerProvider {

    /** Squares an {@code Integer}. */
    public static final String SQUARE = "square";
    /** Counts primes below an {@code Integer}: CPU-bound work worth a worker JVM. */
    public static final String COUNT_PRIMES = "count-primes";
    /** Fails on its first attempt and succeeds on the next one. */
    public static final String FLAKY = "flaky";
    /** Sleeps for the {@code Long} milliseconds it is given. */
    public static final String SLEEP = "sleep";

    /** Creates the provider (called by the ServiceLoader). */
    public ExampleHandlers() {
    }

    @Override
    public void registerHandlers(EventFactory factory) {
        factory.registerEventType(SQUARE, Square.class);
        factory.registerEventType(COUNT_PRIMES, CountPrimes.class);
        factory.registerEventType(FLAKY, Flaky.class);
        factory.registerEventType(SLEEP, Sleep.class);
    }

    /** Squares an {@code Integer}. */
    public static final class Square implements EventHandler {
        /** Creates the handler. */
        public Square() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            int n = event.data(Integer.class);
            return EventResult.businessResult(event.id(), true, n * n);
        }
    }

    /** Counts the primes below an {@code Integer}, the slow way on purpose. */
    public static final class CountPrimes implements EventHandler {
        /** Creates the handler. */
        public CountPrimes() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            int limit = event.data(Integer.class);
            int count = 0;
            for (int n = 2; n < limit; n++) {
                boolean prime = true;
                for (int d = 2; (long) d * d <= n; d++) {
                    if (n % d == 0) {
                        prime = false;
                        break;
                    }
                }
                if (prime) {
                    count++;
                }
            }
            return EventResult.businessResult(event.id(), true, count);
        }
    }

    /** Fails the first time each thread sees an event id, so its first attempt fails and the retry succeeds. */
    public static final class Flaky implements EventHandler {
        /** Creates the handler. */
        public Flaky() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            if (context.threadLocalData().put("seen:" + event.id(), Boolean.TRUE) == null) {
                throw new IllegalStateException("first attempt of " + event.id() + " fails on purpose");
            }
            return EventResult.businessResult(event.id(), true, "succeeded on a retry");
        }
    }

    /** Sleeps for the {@code Long} milliseconds it is given: slow, interruptible work. */
    public static final class Sleep implements EventHandler {
        /** Creates the handler. */
        public Sleep() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) throws InterruptedException {
            Thread.sleep(event.data(Long.class));
            return EventResult.businessResult(event.id(), true, "slept");
        }
    }
}
