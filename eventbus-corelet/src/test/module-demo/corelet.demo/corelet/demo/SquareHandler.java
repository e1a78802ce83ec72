package corelet.demo;

import dev.eventbus.Event;
import dev.eventbus.EventContext;
import dev.eventbus.EventHandler;
import dev.eventbus.EventResult;

import java.util.List;

/** Squares an Integer and says which module it was loaded from, in which process. */
public final class SquareHandler implements EventHandler {
    /** Creates the handler. */
    public SquareHandler() {
    }

    @Override
    public EventResult handle(Event event, EventContext context) {
        int n = event.data(Integer.class);
        return EventResult.businessResult(event.id(), true, List.of(n * n,
                String.valueOf(getClass().getModule().getName()), context.processId()));
    }
}
