package corelet.demo;

import dev.eventbus.Event;
import dev.eventbus.EventContext;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;
import dev.eventbus.spi.Attempt;
import dev.eventbus.spi.EventBusConfig;
import dev.eventbus.spi.ExecutionModeProvider;
import dev.eventbus.spi.ModeExecutor;

import java.time.Duration;
import java.util.ServiceLoader;

/** Finds the CORELET mode on the module path, runs one event, prints "RESULT <data> PARENT <pid>". */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        ExecutionModeProvider provider = ServiceLoader.load(ExecutionModeProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.mode().equals(ExecutionMode.CORELET))
                .findFirst().orElseThrow();
        EventFactory factory = new EventFactory();
        factory.registerEventType("square", SquareHandler.class);
        try (ModeExecutor executor = provider.create(EventBusConfig.defaults(factory))) {
            Event event = Event.builder("square").mode(ExecutionMode.CORELET).data(9).build();
            executor.validate(event);
            EventResult result = executor.execute(event, new Attempt() {
                @Override public int number() { return 1; }
                @Override public Duration timeout() { return Duration.ofSeconds(60); }
                @Override public EventContext context() { return null; }
                @Override public void restartClock() { }
                @Override public void onStop(Runnable action) { }
                @Override public boolean isStopped() { return false; }
            });
            System.out.println("RESULT " + result.data() + " PARENT " + ProcessHandle.current().pid());
        }
    }
}
