package dev.eventbus.corelet.internal;

import dev.eventbus.Event;
import dev.eventbus.EventFactory;
import dev.eventbus.ExecutionMode;
import dev.eventbus.runtime.TestAttempt;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A parent JVM for the orphan test: starts two workers that are busy with an event each, prints
 * "WORKERS pid1 pid2" once both handlers run, then waits to be killed (or, with a second argument "exit", exits
 * normally at once, leaving the workers to the executor's shutdown hook).
 */
public final class OrphanParentMain {

    private OrphanParentMain() {
    }

    /**
     * Runs the parent.
     *
     * @param args a directory for the handlers' start markers, and optionally "exit"
     * @throws Exception never expected
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        EventFactory factory = new EventFactory();
        factory.registerEventType("crash", TestHandlers.Crashes.class);
        CoreletExecutor executor = new CoreletExecutor(TestAttempt.config(factory, 2, Duration.ofMinutes(10),
                List.of(), List.of()));
        for (int i = 0; i < 2; i++) {
            Event event = Event.builder("crash").mode(ExecutionMode.CORELET)
                    .data(dir.resolve("started-" + i).toString()).timeout(Duration.ofMinutes(5)).build();
            executor.validate(event);
            Thread.ofPlatform().daemon().start(() -> TestAttempt.run(executor, event));
        }
        TestAttempt.awaitTrue(Duration.ofSeconds(60), () -> Files.exists(dir.resolve("started-0"))
                && Files.exists(dir.resolve("started-1")), "both handlers started");
        System.out.println("WORKERS " + String.join(" ", executor.workerPids().stream().map(String::valueOf)
                .toList()));
        System.out.flush();
        if (args.length > 1 && args[1].equals("exit")) {
            System.exit(0);
        }
        new CountDownLatch(1).await();
    }
}
