package corelet.demo;

import dev.eventbus.Event;
import dev.eventbus.EventBus;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;

import java.util.concurrent.TimeUnit;

/** Runs one CORELET event through a bus found on the module path; prints "RESULT <data> PARENT <pid>". */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        EventFactory factory = new EventFactory();
        factory.registerEventType("square", SquareHandler.class);
        try (EventBus bus = EventBus.builder().factory(factory).threads(1).build()) {
            Event event = Event.builder("square").mode(ExecutionMode.CORELET).data(9).build();
            EventResult result = bus.submit(event).get(60, TimeUnit.SECONDS);
            System.out.println("RESULT " + result.data() + " PARENT " + ProcessHandle.current().pid());
        }
    }
}
