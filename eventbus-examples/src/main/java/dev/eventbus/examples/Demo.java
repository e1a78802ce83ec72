package dev.eventbus.examples;

import dev.eventbus.ConsoleProgressTracker;
import dev.eventbus.Event;
import dev.eventbus.EventBus;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;
import dev.eventbus.ProgressTracker;
import dev.eventbus.cmd.CmdRequest;
import dev.eventbus.cmd.CmdResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The eventbus demo: the same bus runs events in the caller's thread (SYNC), on its priority-ordered worker pool
 * (THREAD), in worker JVMs (CORELET) and as external commands (CMD), with retries, timeouts and a progress bar.
 * Run it with {@code ./mvnw -q -pl eventbus-examples -am package exec:exec -DskipTests}.
 */
public final class Demo {

    private Demo() {
    }

    /**
     * Runs the demo.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        try (EventBus bus = EventBus.builder().threads(2).build()) {
            System.out.println("eventbus demo: " + bus.threads() + " worker threads, handlers from "
                    + bus.factory().getSupportedEventTypes());
            sync(bus);
            priorities();
            retryAndTimeout(bus);
            progress(bus);
            corelet(bus);
            cmd(bus);
        }
        System.out.println("done: the bus is shut down and every worker has stopped");
    }

    private static void sync(EventBus bus) {
        String id = bus.publish(Event.builder(ExampleHandlers.SQUARE).mode(ExecutionMode.SYNC).data(12).build());
        EventResult result = bus.getResults(List.of(id), false).get(id); // SYNC: ready when publish returns
        System.out.println("SYNC    square(12) = " + result.data() + " (ran in the caller's thread)");
    }

    private static void priorities() {
        // One worker, held by a slow event: the others wait and then run highest priority first.
        try (EventBus one = EventBus.builder().threads(1).build()) {
            one.publish(Event.builder(ExampleHandlers.SLEEP).data(200L).build());
            List<Integer> order = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int priority : new int[] {1, 9, 5, 10, 0}) {
                one.submit(Event.builder(ExampleHandlers.SQUARE).data(priority).priority(priority).build())
                        .thenRun(() -> order.add(priority));
            }
            one.join();
            System.out.println("THREAD  published with priorities 1, 9, 5, 10, 0; ran in the order " + order);
        }
    }

    private static void retryAndTimeout(EventBus bus) {
        String flaky = bus.publish(Event.builder(ExampleHandlers.FLAKY).maxRetries(2).build());
        String slow = bus.publish(Event.builder(ExampleHandlers.SLEEP).data(10_000L)
                .timeout(Duration.ofMillis(300)).maxRetries(1).build());
        Map<String, EventResult> results = bus.getResults(List.of(flaky, slow));
        System.out.println("RETRY   flaky handler: " + results.get(flaky).data());
        System.out.println("TIMEOUT 10 s handler with a 300 ms timeout, 2 attempts: "
                + results.get(slow).exception().getMessage());
    }

    private static void corelet(EventBus bus) {
        // CPU-bound work spread over worker JVMs (one per bus thread), crash-isolated from this one.
        int chunks = 8;
        int perChunk = 250_000;
        long start = System.nanoTime();
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= chunks; i++) {
            ids.add(bus.publish(Event.builder(ExampleHandlers.COUNT_PRIMES).mode(ExecutionMode.CORELET)
                    .data(i * perChunk).build()));
        }
        Map<String, EventResult> results = bus.getResults(ids);
        List<Object> counts = ids.stream().map(id -> results.get(id).data()).toList();
        System.out.printf("CORELET primes below 250k, 500k, ... 2M in %d worker JVMs: %s (%d ms)%n", bus.threads(),
                counts, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private static void cmd(EventBus bus) {
        // External commands: no handler needed, no shell; exit codes, output and timeouts like any event.
        String uname = bus.publish(Event.builder("uname").mode(ExecutionMode.CMD)
                .data(CmdRequest.builder("uname").args("-sr").build()).build());
        String grep = bus.publish(Event.builder("grep").mode(ExecutionMode.CMD)   // the guide's map form
                .data(Map.of("executable", "grep", "args", List.of("-c", "needle"), "stdin", "hay\nstack\n"))
                .build());
        String tree = bus.publish(Event.builder("sleepy").mode(ExecutionMode.CMD)
                .data(CmdRequest.builder("sh").args("-c", "sleep 60 & sleep 60").build())
                .timeout(Duration.ofMillis(500)).maxRetries(0).build());
        Map<String, EventResult> results = bus.getResults(List.of(uname, grep, tree));
        CmdResult system = (CmdResult) results.get(uname).data();
        CmdResult count = (CmdResult) results.get(grep).data();
        System.out.printf("CMD     uname -sr: %s (exit %d, %d ms)%n", system.stdout().strip(), system.returnCode(),
                system.duration().toMillis());
        System.out.printf("CMD     grep -c needle: exit %d, a business failure (success=%s), not retried%n",
                count.returnCode(), results.get(grep).success());
        System.out.println("CMD     sh with two sleeps, 500 ms timeout: " + results.get(tree).exception().getMessage()
                + "; the whole tree was killed");
    }

    private static void progress(EventBus bus) {
        int events = 200;
        // Closed when done: wherever the count stopped, the bar's line is ended before the next output.
        ConsoleProgressTracker bar = ProgressTracker.console(events, "THREAD  200 events");
        try (bar) {
            bus.setProgressTracker(bar, 1);
            for (int i = 0; i < events; i++) {
                bus.publish(Event.builder(ExampleHandlers.SLEEP).data(5L).build());
            }
            bus.join();
        } finally {
            bus.clearProgressTracker();
        }
        bus.getResults(); // observed, not consumed: they stay until the bus is closed
        System.out.println("PROGRESS " + bar.current() + "/" + bar.total() + " events tracked");
    }
}
