package dev.eventbus.corelet.internal;

import dev.eventbus.Event;
import dev.eventbus.EventFactory;
import dev.eventbus.ExecutionMode;
import dev.eventbus.runtime.TestAttempt;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A parent JVM whose one worker runs a handler that started a tool (a child process of its own): prints
 * "WORKER pid TOOL pid" once the tool runs, then waits to be killed (or, with a second argument "exit", exits normally
 * at once, leaving the worker to the executor's shutdown hook).
 */
public final class ToolParentMain {

    private ToolParentMain() {
    }

    /**
     * Runs the parent.
     *
     * @param args a directory for the tool's pid file, and optionally "exit"
     * @throws Exception never expected
     */
    public static void main(String[] args) throws Exception {
        Path toolPid = Path.of(args[0]).resolve("tool-pid");
        EventFactory factory = new EventFactory();
        factory.registerEventType("spawns", TestHandlers.Spawns.class);
        CoreletExecutor executor = new CoreletExecutor(TestAttempt.config(factory));
        Event event = Event.builder("spawns").mode(ExecutionMode.CORELET).data(toolPid.toString())
                .timeout(Duration.ofMinutes(5)).build();
        executor.validate(event);
        Thread.ofPlatform().daemon().start(() -> TestAttempt.run(executor, event));
        TestAttempt.awaitTrue(Duration.ofSeconds(60), () -> Files.exists(toolPid), "the handler started its tool");
        System.out.println("WORKER " + executor.workerPids().iterator().next() + " TOOL "
                + Files.readString(toolPid));
        System.out.flush();
        if (args.length > 1 && args[1].equals("exit")) {
            System.exit(0);
        }
        new CountDownLatch(1).await();
    }
}
