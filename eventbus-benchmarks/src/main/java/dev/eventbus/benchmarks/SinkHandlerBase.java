package dev.eventbus.benchmarks;

import dev.eventbus.Event;
import dev.eventbus.EventContext;
import dev.eventbus.EventHandler;
import dev.eventbus.EventResult;

import org.openjdk.jmh.infra.Blackhole;

/**
 * A handler that first reports that it started (for latency measurements), then does {@link SinkHandler}'s work.
 *
 * <p>Thread-safe if {@link #started(Object)} is.
 */
abstract class SinkHandlerBase implements EventHandler {

    private final Blackhole blackhole;

    SinkHandlerBase(Blackhole blackhole) {
        this.blackhole = blackhole;
    }

    abstract void started(Object data);

    @Override
    public final EventResult handle(Event event, EventContext context) {
        Object data = event.data();
        started(data);
        blackhole.consume(data);
        return EventResult.businessResult(event.id(), true, data);
    }
}
