package dev.eventbus.runtime;

import dev.eventbus.Event;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.NoHandlerAvailableException;
import dev.eventbus.spi.Attempt;
import dev.eventbus.spi.ModeExecutor;

/**
 * Runs handlers in the JVM: SYNC in the publishing thread, THREAD on the bus's workers. One handler instance per
 * thread and type, reused across events.
 */
final class LocalExecutor implements ModeExecutor {

    private final EventFactory factory;
    private final boolean inPublishingThread;

    LocalExecutor(EventFactory factory, boolean inPublishingThread) {
        this.factory = factory;
        this.inPublishingThread = inPublishingThread;
    }

    @Override
    public boolean runsInPublishingThread() {
        return inPublishingThread;
    }

    @Override
    public void validate(Event event) {
        if (!factory.isHandlerAvailable(event.type())) {
            throw new NoHandlerAvailableException(event.type());
        }
    }

    @Override
    public EventResult execute(Event event, Attempt attempt) throws Exception {
        AttemptRun run = (AttemptRun) attempt;
        return run.runHandler(run.owner.handler(event.type(), factory));
    }

    @Override
    public void close() {
        // Handler instances belong to their threads, which the bus stops.
    }
}
