package dev.eventbus.corelet.internal;

import dev.eventbus.Event;
import dev.eventbus.EventFactory;
import dev.eventbus.ExecutionMode;
import dev.eventbus.runtime.TestAttempt;

import java.time.Duration;

/**
 * A parent JVM that runs its first CORELET event in a shutdown hook (to report or flush at exit, say), then closes the
 * pool; prints "HOOK result <data> worker <pid>" or "HOOK threw <class>: <message>".
 */
public final class ShutdownHookParentMain {

    private ShutdownHookParentMain() {
    }

    /**
     * Runs the parent: registers the hook and returns, which starts the JVM's shutdown.
     *
     * @param args none
     */
    public static void main(String[] args) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            EventFactory factory = new EventFactory();
            factory.registerEventType("square", TestHandlers.Square.class);
            CoreletExecutor executor = new CoreletExecutor(TestAttempt.config(factory));
            try {
                Event event = Event.builder("square").mode(ExecutionMode.CORELET).data(3)
                        .timeout(Duration.ofSeconds(30)).build();
                executor.validate(event);
                TestAttempt.Outcome o = TestAttempt.run(executor, event);
                System.out.println(o.thrown() == null
                        ? "HOOK result " + o.result().data() + " worker " + executor.workerPids()
                        : "HOOK threw " + o.thrown().getClass().getName() + ": " + o.thrown().getMessage());
            } finally {
                executor.close();
            }
            System.out.flush();
        }));
    }
}
