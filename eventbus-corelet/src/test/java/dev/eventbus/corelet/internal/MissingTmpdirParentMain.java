package dev.eventbus.corelet.internal;

import dev.eventbus.Event;
import dev.eventbus.EventFactory;
import dev.eventbus.ExecutionMode;
import dev.eventbus.runtime.TestAttempt;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A parent JVM for the missing-temp-directory test, run with {@code -Djava.io.tmpdir} naming a directory that does
 * not exist: runs three attempts, one after the other, on a pool of one worker, and prints a line for each,
 * "ATTEMPT i threw <class>: <message>", "ATTEMPT i result <data>" or "ATTEMPT i HUNG".
 */
public final class MissingTmpdirParentMain {

    private MissingTmpdirParentMain() {
    }

    /**
     * Runs the parent.
     *
     * @param args none
     * @throws Exception never expected
     */
    public static void main(String[] args) throws Exception {
        EventFactory factory = new EventFactory();
        factory.registerEventType("square", TestHandlers.Square.class);
        CoreletExecutor executor = new CoreletExecutor(TestAttempt.config(factory, 1, Duration.ofMinutes(10),
                java.util.List.of(), java.util.List.of()));
        for (int i = 1; i <= 3; i++) {
            Event event = Event.builder("square").mode(ExecutionMode.CORELET).data(3)
                    .timeout(Duration.ofSeconds(2)).build();
            executor.validate(event);
            CompletableFuture<TestAttempt.Outcome> outcome = CompletableFuture.supplyAsync(
                    () -> TestAttempt.run(executor, event), r -> Thread.ofPlatform().daemon().start(r));
            try {
                TestAttempt.Outcome o = outcome.get(20, TimeUnit.SECONDS);
                System.out.println("ATTEMPT " + i + (o.thrown() == null ? " result " + o.result().data()
                        : " threw " + o.thrown().getClass().getName() + ": " + o.thrown().getMessage()));
            } catch (TimeoutException e) {
                System.out.println("ATTEMPT " + i + " HUNG");
            }
        }
        System.out.flush();
        // a hung attempt's thread still waits in the pool: end without waiting for it
        Runtime.getRuntime().halt(0);
    }
}
