package dev.eventbus.benchmarks;

import dev.eventbus.Event;
import dev.eventbus.EventContext;
import dev.eventbus.EventHandler;
import dev.eventbus.EventResult;

import org.openjdk.jmh.infra.Blackhole;

/**
 * The trivial handler of the SYNC and THREAD benchmarks: sinks the event's data into a {@link Blackhole} and returns
 * it as a successful result, the same work every baseline's handler does.
 *
 * <p>Stateless apart from the blackhole; one instance may serve several threads.
 */
public final class SinkHandler implements EventHandler {

    private final Blackhole blackhole;

    /**
     * Creates the handler.
     *
     * @param blackhole where the data goes
     */
    public SinkHandler(Blackhole blackhole) {
        this.blackhole = blackhole;
    }

    @Override
    public EventResult handle(Event event, EventContext context) {
        Object data = event.data();
        blackhole.consume(data);
        return EventResult.businessResult(event.id(), true, data);
    }
}
