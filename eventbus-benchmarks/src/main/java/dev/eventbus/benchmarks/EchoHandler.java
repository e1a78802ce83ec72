package dev.eventbus.benchmarks;

import dev.eventbus.Event;
import dev.eventbus.EventContext;
import dev.eventbus.EventHandler;
import dev.eventbus.EventResult;

/**
 * The CORELET benchmark's handler, run in the worker JVM: returns the event's data as a successful result. Public
 * with a public no-argument constructor so that a worker process can create it by class name.
 *
 * <p>Stateless and thread-safe.
 */
public final class EchoHandler implements EventHandler {

    /** Creates the handler. */
    public EchoHandler() {
    }

    @Override
    public EventResult handle(Event event, EventContext context) {
        return EventResult.businessResult(event.id(), true, event.data());
    }
}
