package dev.eventbus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class EventHandlerTest {

    /** A context as a runtime would make it, for calling a handler directly. */
    private record FixedContext(Map<String, Object> threadLocalData, long threadId, long processId, Instant timestamp)
            implements EventContext {
    }

    private final EventContext context = new FixedContext(new HashMap<>(), Thread.currentThread().threadId(),
            ProcessHandle.current().pid(), Instant.now());

    @Test
    void aLambdaIsAHandler() throws Exception {
        EventHandler handler = (event, ctx) -> EventResult.businessResult(event.id(), true, "pid " + ctx.processId());
        Event event = Event.of("t");

        EventResult result = handler.handle(event, context);

        assertEquals(EventResult.businessResult(event.id(), true, "pid " + ProcessHandle.current().pid()), result);
    }

    @Test
    void defaultTerminateDoesNothing() {
        EventHandler handler = (event, ctx) -> EventResult.businessResult(event.id(), true, null);
        context.threadLocalData().put("connection", "open");

        handler.terminate(context);

        assertEquals(Map.of("connection", "open"), context.threadLocalData());
    }

    @Test
    void handlerMayKeepPerThreadStateInTheContext() throws Exception {
        EventHandler counter = (event, ctx) -> {
            int seen = (Integer) ctx.threadLocalData().merge("seen", 1, (a, b) -> (Integer) a + (Integer) b);
            return EventResult.businessResult(event.id(), true, seen);
        };

        counter.handle(Event.of("t"), context);
        EventResult second = counter.handle(Event.of("t"), context);

        assertEquals(2, second.data());
    }
}
