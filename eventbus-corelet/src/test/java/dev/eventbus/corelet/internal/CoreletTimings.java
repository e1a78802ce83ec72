package dev.eventbus.corelet.internal;

import dev.eventbus.Event;
import dev.eventbus.EventFactory;
import dev.eventbus.ExecutionMode;
import dev.eventbus.runtime.TestAttempt;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Prints the cold start of a worker (first result of a fresh pool) and the warm round trip per event. Not a test
 * and not a benchmark harness: a quick measurement for the README. Arguments: extra worker JVM options.
 */
public final class CoreletTimings {

    private CoreletTimings() {
    }

    /**
     * Measures.
     *
     * @param args worker JVM options
     */
    public static void main(String[] args) {
        EventFactory factory = new EventFactory();
        factory.registerEventType("square", TestHandlers.Square.class);
        if (args.length > 0 && args[0].equals("train")) {
            train(factory, Arrays.asList(args).subList(1, args.length));
            return;
        }
        List<String> options = Arrays.asList(args);
        int colds = 5;
        long[] cold = new long[colds];
        for (int i = 0; i < colds; i++) {
            CoreletExecutor executor = new CoreletExecutor(TestAttempt.config(factory, 1, Duration.ofMinutes(1),
                    options, List.of()));
            long start = System.nanoTime();
            TestAttempt.result(executor, event(executor, i));
            cold[i] = System.nanoTime() - start;
            executor.close();
        }
        CoreletExecutor executor = new CoreletExecutor(TestAttempt.config(factory, 1, Duration.ofMinutes(1),
                options, List.of()));
        TestAttempt attempt = new TestAttempt(1, Duration.ofSeconds(60));
        int warmup = 5000;
        int n = 20000;
        long start = 0;
        for (int i = 0; i < warmup + n; i++) {
            if (i == warmup) {
                start = System.nanoTime();
            }
            try {
                executor.execute(event(executor, i), attempt);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        long warm = (System.nanoTime() - start) / n;
        executor.close();
        Arrays.sort(cold);
        System.out.printf("options=%s cold start to first result: median %.0f ms (min %.0f, max %.0f);"
                + " warm round trip: %.1f us/event%n", options, cold[colds / 2] / 1e6, cold[0] / 1e6,
                cold[colds - 1] / 1e6, warm / 1e3);
    }

    /** Runs events on one worker, lets it retire idle (a normal exit, which writes AOT/CDS archives), waits. */
    private static void train(EventFactory factory, List<String> options) {
        CoreletExecutor executor = new CoreletExecutor(TestAttempt.config(factory, 1, Duration.ofMillis(500),
                options, List.of()));
        TestAttempt attempt = new TestAttempt(1, Duration.ofSeconds(60));
        for (int i = 0; i < 3000; i++) {
            try {
                executor.execute(event(executor, i), attempt);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        long pid = executor.workerPids().iterator().next();
        long start = System.nanoTime();
        TestAttempt.assertEnds(pid, Duration.ofSeconds(120));
        System.out.printf("training worker %d exited %.1f s after its last event%n", pid,
                (System.nanoTime() - start) / 1e9);
        executor.close();
    }

    private static Event event(CoreletExecutor executor, int n) {
        Event event = Event.builder("square").mode(ExecutionMode.CORELET).data(n).build();
        executor.validate(event);
        return event;
    }
}
