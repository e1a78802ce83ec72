package dev.eventbus.runtime;

import dev.eventbus.Event;
import dev.eventbus.EventBus;
import dev.eventbus.EventBusShutdownException;
import dev.eventbus.EventCancelledException;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.EventTimeoutException;
import dev.eventbus.ExecutionMode;
import dev.eventbus.RemoteHandlerException;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dispatch behaviour every execution mode must show, written once: results, retries, timeouts, priorities, the
 * result cache, join, shutdown and progress. Each mode module extends it with its modes; handlers are scripted by
 * the event's data ({@link ScriptHandler}) and record attempts in files, so the same checks run in worker JVMs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class EventBusBehaviourSuite {

    /** The modes this suite runs in. */
    protected abstract List<ExecutionMode> modes();

    /** Adds mode-specific settings to the bus under test. */
    protected EventBus.Builder configure(EventBus.Builder builder) {
        return builder;
    }

    /** How late a timeout may be reported in this mode (DESIGN.md: 1 s, 2 s for CORELET). */
    protected Duration timeoutGrace(ExecutionMode mode) {
        return mode.equals(ExecutionMode.CORELET) ? Duration.ofSeconds(2) : Duration.ofSeconds(1);
    }

    protected EventBus newBus(int threads) {
        EventFactory factory = new EventFactory();
        factory.registerEventType(ScriptHandler.TYPE, ScriptHandler.class);
        return configure(EventBus.builder().threads(threads).factory(factory)).build();
    }

    protected static Event.Builder event(ExecutionMode mode, Script script) {
        return Event.builder(ScriptHandler.TYPE).mode(mode).data(script);
    }

    /** The class name of a handler's exception, seen through a worker process's {@link RemoteHandlerException}. */
    protected static String exceptionClass(Throwable exception) {
        return exception instanceof RemoteHandlerException remote ? remote.remoteClassName()
                : exception.getClass().getName();
    }

    protected static String exceptionMessage(Throwable exception) {
        return exception instanceof RemoteHandlerException remote ? remote.remoteMessage() : exception.getMessage();
    }

    protected static int attempts(Path dir, String eventId) {
        return ScriptHandler.lines(dir.resolve(eventId + ".attempts")).size();
    }

    private static EventResult resultOf(EventBus bus, String id) {
        EventResult result = bus.getResults(List.of(id)).get(id);
        assertNotNull(result, "no result for " + id);
        assertEquals(id, result.eventId());
        return result;
    }

    @ParameterizedTest
    @MethodSource("modes")
    void successfulResultCarriesTheHandlersData(ExecutionMode mode, @TempDir Path dir) {
        try (EventBus bus = newBus(2)) {
            String id = bus.publish(event(mode, Script.echo(dir, "hello")).build());
            EventResult result = resultOf(bus, id);
            assertTrue(result.success());
            assertEquals("hello", result.data());
            assertNull(result.exception());
            assertEquals(1, attempts(dir, id));
        }
    }

    @ParameterizedTest
    @MethodSource("modes")
    void businessFailureIsFinalAndRunsOnce(ExecutionMode mode, @TempDir Path dir) {
        try (EventBus bus = newBus(2)) {
            String id = bus.publish(event(mode, Script.businessFailure(dir, "no stock")).maxRetries(3).build());
            EventResult result = resultOf(bus, id);
            assertFalse(result.success());
            assertEquals("no stock", result.data());
            assertNull(result.exception());
            assertEquals(1, attempts(dir, id));
        }
    }

    @ParameterizedTest
    @MethodSource("modes")
    void thrownExceptionIsRetriedAndTheLastOneIsReported(ExecutionMode mode, @TempDir Path dir) {
        try (EventBus bus = newBus(2)) {
            String id = bus.publish(event(mode, Script.throwing(dir)).maxRetries(2).build());
            EventResult result = resultOf(bus, id);
            assertFalse(result.success());
            assertEquals(IllegalArgumentException.class.getName(), exceptionClass(result.exception()));
            assertEquals("boom in attempt 3", exceptionMessage(result.exception()));
            assertEquals(3, attempts(dir, id));
        }
    }

    @ParameterizedTest
    @MethodSource("modes")
    void handlerThatFailsTwiceSucceedsOnTheThirdAttempt(ExecutionMode mode, @TempDir Path dir) {
        try (EventBus bus = newBus(2)) {
            String id = bus.publish(event(mode, Script.failThenSucceed(dir, 2)).maxRetries(3).build());
            EventResult result = resultOf(bus, id);
            assertTrue(result.success(), () -> "expected success, got " + result);
            assertEquals(3, result.data());
            assertEquals(3, attempts(dir, id));
        }
    }

    @ParameterizedTest
    @MethodSource("modes")
    void zeroRetriesMeansOneAttempt(ExecutionMode mode, @TempDir Path dir) {
        try (EventBus bus = newBus(1)) {
            String id = bus.publish(event(mode, Script.throwing(dir)).maxRetries(0).build());
            EventResult result = resultOf(bus, id);
            assertEquals("boom in attempt 1", exceptionMessage(result.exception()));
            assertEquals(1, attempts(dir, id));
        }
    }

    @ParameterizedTest
    @MethodSource("modes")
    void nullResultIsAFailureAndIsRetried(ExecutionMode mode, @TempDir Path dir) {
        try (EventBus bus = newBus(2)) {
            String id = bus.publish(event(mode, Script.returningNull(dir)).maxRetries(1).build());
            EventResult result = resultOf(bus, id);
            assertFalse(result.success());
            assertEquals(IllegalStateException.class.getName(), exceptionClass(result.exception()));
            assertTrue(exceptionMessage(result.exception()).contains("returned null"), result::toString);
            assertEquals(2, attempts(dir, id));
        }
    }

    @ParameterizedTest
    @MethodSource("modes")
    void aRetryDoesNotStartWithTheInterruptThePreviousAttemptLeftSet(ExecutionMode mode, @TempDir Path dir) {
        // A SYNC attempt runs in the caller's thread, whose interrupt flag is the caller's: not the bus's to clear.
        assumeTrue(!mode.equals(ExecutionMode.SYNC), "SYNC attempts run in the caller's thread");
        try (EventBus bus = newBus(1)) {
            String id = bus.publish(event(mode, Script.interruptingThenReporting(dir)).maxRetries(1).build());
            EventResult result = resultOf(bus, id);
            assertTrue(result.success(), result::toString);
            assertEquals(2, attempts(dir, id));
            assertEquals(false, result.data(), "the retry started with the failed attempt's interrupt flag set");
        }
    }

    @ParameterizedTest
    @MethodSource("modes")
    void returnedExceptionResultIsFinal(ExecutionMode mode, @TempDir Path dir) {
        try (EventBus bus = newBus(2)) {
            String id = bus.publish(event(mode, Script.returningExceptionResult(dir)).maxRetries(3).build());
            EventResult result = resultOf(bus, id);
            assertFalse(result.success());
            assertEquals(IllegalStateException.class.getName(), exceptionClass(result.exception()));
            assertEquals("returned", exceptionMessage(result.exception()));
            assertEquals(1, attempts(dir, id));
        }
    }

    @ParameterizedTest
    @MethodSource("modes")
    void attemptOutOfTimeIsInterruptedTerminatedAndRetried(ExecutionMode mode, @TempDir Path dir) throws Exception {
        // Long enough for the handler to start first: in CORELET the retry runs in a fresh worker JVM at nice 10,
        // which on a loaded 2-core machine took over 500 ms to reach the handler (seen in CI).
        Duration timeout = mode.equals(ExecutionMode.CORELET) ? Duration.ofSeconds(2) : Duration.ofMillis(500);
        try (EventBus bus = newBus(2)) {
            long start = System.nanoTime();
            CompletableFuture<EventResult> future = bus.submit(
                    event(mode, Script.sleeping(dir, 60_000)).timeout(timeout).maxRetries(1).build());
            EventResult result = future.get(60, TimeUnit.SECONDS);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            assertInstanceOf(EventTimeoutException.class, result.exception(), result::toString);
            assertTrue(result.exception().getMessage().contains("attempt 2 of 2"), result.exception()::getMessage);
            assertEquals(2, attempts(dir, result.eventId()));
            Duration bound = timeout.plus(timeoutGrace(mode)).multipliedBy(2);
            assertTrue(elapsed.compareTo(bound) < 0, () -> "timed out after " + elapsed + ", bound " + bound);
            Path terminated = dir.resolve(result.eventId() + ".terminated");
            assertTrue(Await.until(Duration.ofSeconds(5), () -> ScriptHandler.lines(terminated).size() == 2),
                    () -> "terminate() calls: " + ScriptHandler.lines(terminated));
        }
    }

    @ParameterizedTest
    @MethodSource("modes")
    void waitingEventsRunByPriorityThenInPublishOrder(ExecutionMode mode, @TempDir Path dir) throws Exception {
        assumeTrue(!mode.equals(ExecutionMode.SYNC), "SYNC runs at once: priority does not apply");
        Path gate = dir.resolve("gate");
        try (EventBus bus = newBus(1)) {
            String blocker = bus.publish(event(mode, Script.gated(dir, gate, "blocker")).build());
            assertTrue(Await.until(Duration.ofSeconds(30), () -> attempts(dir, blocker) == 1), "blocker never ran");
            List<Integer> priorities = new ArrayList<>();
            for (int p = 0; p <= 10; p++) {
                priorities.add(p);
            }
            Collections.shuffle(priorities, new java.util.Random(42));
            for (int p : priorities) {
                bus.publish(event(mode, Script.ordered(dir, "p" + p)).priority(p).build());
            }
            for (int i = 1; i <= 3; i++) {
                bus.publish(event(mode, Script.ordered(dir, "p5-" + i)).priority(5).build());
            }
            Files.createFile(gate);
            bus.join();
            List<String> expected = new ArrayList<>(List.of("blocker"));
            for (int p = 10; p >= 0; p--) {
                expected.add("p" + p);
                if (p == 5) {
                    expected.addAll(List.of("p5-1", "p5-2", "p5-3"));
                }
            }
            assertEquals(expected, ScriptHandler.lines(dir.resolve("order")));
        }
    }

    @ParameterizedTest
    @MethodSource("modes")
    void resultsStayInTheCacheUntilConsumed(ExecutionMode mode, @TempDir Path dir) {
        try (EventBus bus = newBus(2)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ids.add(bus.publish(event(mode, Script.echo(dir, "r" + i)).build()));
            }
            Map<String, EventResult> observed = bus.getResults();
            assertTrue(observed.keySet().containsAll(ids));
            assertEquals(observed, bus.getResults(), "observing removes nothing");
            Map<String, EventResult> consumed = bus.getResults(ids);
            assertEquals(Set.copyOf(ids), consumed.keySet());
            assertEquals("r1", consumed.get(ids.get(1)).data());
            assertTrue(bus.getResults(ids).isEmpty(), "consuming removes");
            assertTrue(bus.getResults(List.of("no-such-id"), false).isEmpty(), "unknown ids are absent");
        }
    }

    @ParameterizedTest
    @MethodSource("modes")
    void submittedEventCompletesItsFutureAndSkipsTheCache(ExecutionMode mode, @TempDir Path dir) throws Exception {
        try (EventBus bus = newBus(2)) {
            Event event = event(mode, Script.echo(dir, "future")).build();
            EventResult result = bus.submit(event).get(60, TimeUnit.SECONDS);
            assertEquals(event.id(), result.eventId());
            assertEquals("future", result.data());
            assertFalse(bus.getResults().containsKey(event.id()));
        }
    }

    @ParameterizedTest
    @MethodSource("modes")
    void joinWaitsForEveryEventPublishedBeforeIt(ExecutionMode mode, @TempDir Path dir) {
        try (EventBus bus = newBus(2)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ids.add(bus.publish(event(mode, Script.sleeping(dir, 20)).build()));
            }
            bus.join();
            assertEquals(Set.copyOf(ids), bus.getResults(ids, false).keySet());
            assertTrue(bus.join(Duration.ZERO), "nothing left to wait for");
        }
    }

    @ParameterizedTest
    @MethodSource("modes")
    void immediateShutdownCancelsRunningAndQueuedEvents(ExecutionMode mode, @TempDir Path dir) throws Exception {
        assumeTrue(!mode.equals(ExecutionMode.SYNC), "SYNC has nothing queued");
        EventBus bus = newBus(1);
        String blocker = bus.publish(event(mode, Script.gated(dir, dir.resolve("never"), "blocker")).build());
        assertTrue(Await.until(Duration.ofSeconds(30), () -> attempts(dir, blocker) == 1), "blocker never ran");
        List<String> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            queued.add(bus.publish(event(mode, Script.echo(dir, "q" + i)).build()));
        }
        bus.shutdown(true);
        assertThrows(EventBusShutdownException.class, () -> bus.publish(event(mode, Script.echo(dir, "x")).build()));
        List<String> all = new ArrayList<>(queued);
        all.add(blocker);
        Map<String, EventResult> results = bus.getResults(all, false);
        assertEquals(Set.copyOf(all), results.keySet());
        for (EventResult result : results.values()) {
            assertInstanceOf(EventCancelledException.class, result.exception(), result::toString);
        }
        for (String id : queued) {
            assertEquals(0, attempts(dir, id), "a queued event ran after shutdown(true)");
        }
    }

    @ParameterizedTest
    @MethodSource("modes")
    void immediateShutdownCompletesFuturesAndAdvancesProgressOncePerCancelledEvent(ExecutionMode mode,
            @TempDir Path dir) throws Exception {
        assumeTrue(!mode.equals(ExecutionMode.SYNC), "SYNC has nothing queued");
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger steps = new AtomicInteger();
        dev.eventbus.ProgressTracker tracker = n -> {
            calls.incrementAndGet();
            steps.addAndGet(n);
        };
        EventBus bus = newBus(1);
        Event blocker = event(mode, Script.gated(dir, dir.resolve("never"), "blocker")).maxRetries(3)
                .timeout(Duration.ofSeconds(60)).progressTracker(tracker).progressSteps(3).build();
        CompletableFuture<EventResult> blocked = bus.submit(blocker);
        assertTrue(Await.until(Duration.ofSeconds(30), () -> attempts(dir, blocker.id()) == 1), "blocker never ran");
        List<Event> submitted = new ArrayList<>(List.of(blocker));
        List<CompletableFuture<EventResult>> futures = new ArrayList<>(List.of(blocked));
        for (int i = 0; i < 2; i++) {
            Event e = event(mode, Script.echo(dir, "s" + i)).progressTracker(tracker).progressSteps(3).build();
            submitted.add(e);
            futures.add(bus.submit(e));
        }
        List<String> published = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            published.add(bus.publish(event(mode, Script.echo(dir, "p" + i)).progressTracker(tracker)
                    .progressSteps(3).build()));
        }
        bus.shutdown(true);
        bus.join();
        assertEquals(5, calls.get(), "one progress call per cancelled event, the running one included");
        assertEquals(15, steps.get());
        for (int i = 0; i < submitted.size(); i++) {
            EventResult result = futures.get(i).get(30, TimeUnit.SECONDS); // completed normally
            assertEquals(submitted.get(i).id(), result.eventId());
            assertFalse(result.success());
            assertInstanceOf(EventCancelledException.class, result.exception(), result::toString);
        }
        assertEquals(1, attempts(dir, blocker.id()), "a cancelled attempt is not retried");
        Map<String, EventResult> cached = bus.getResults();
        assertEquals(Set.copyOf(published), cached.keySet(), "submitted results go to their futures only");
        for (String id : published) {
            assertInstanceOf(EventCancelledException.class, cached.get(id).exception(), cached.get(id)::toString);
            assertEquals(0, attempts(dir, id), "a queued event ran after shutdown(true)");
        }
        for (Event e : submitted.subList(1, submitted.size())) {
            assertEquals(0, attempts(dir, e.id()), "a queued event ran after shutdown(true)");
        }
    }

    @ParameterizedTest
    @MethodSource("modes")
    void gracefulShutdownFinishesQueuedEventsThenRefusesNewOnes(ExecutionMode mode, @TempDir Path dir) {
        EventBus bus = newBus(1);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(bus.publish(event(mode, Script.sleeping(dir, 20)).build()));
        }
        bus.shutdown();
        bus.shutdown(); // idempotent
        assertTrue(bus.isShutdown());
        Map<String, EventResult> results = bus.getResults(ids, false);
        assertEquals(5, results.size());
        results.values().forEach(r -> assertTrue(r.success(), r::toString));
        EventBusShutdownException refused = assertThrows(EventBusShutdownException.class,
                () -> bus.publish(event(mode, Script.echo(dir, "late")).build()));
        assertTrue(refused.getMessage().contains("shut down"));
    }

    @ParameterizedTest
    @MethodSource("modes")
    void progressAdvancesOncePerFinishedEventWhateverTheOutcome(ExecutionMode mode, @TempDir Path dir) {
        AtomicInteger steps = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        try (EventBus bus = newBus(2)) {
            for (Script script : List.of(Script.echo(dir, "ok"), Script.businessFailure(dir, "no"),
                    Script.throwing(dir))) {
                bus.publish(event(mode, script).maxRetries(1).progressTracker(n -> {
                    calls.incrementAndGet();
                    steps.addAndGet(n);
                }).progressSteps(2).build());
            }
            bus.join();
            assertEquals(3, calls.get(), "one call per event, not per attempt");
            assertEquals(6, steps.get());
        }
    }

    @ParameterizedTest
    @MethodSource("modes")
    void everyEventFromConcurrentPublishersGetsExactlyOneResult(ExecutionMode mode, @TempDir Path dir)
            throws Exception {
        int publishers = 4;
        int perPublisher = 25;
        CyclicBarrier start = new CyclicBarrier(publishers);
        ExecutorService pool = Executors.newFixedThreadPool(publishers);
        try (EventBus bus = newBus(2)) {
            List<Future<List<String>>> published = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                published.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    List<String> ids = new ArrayList<>();
                    for (int i = 0; i < perPublisher; i++) {
                        ids.add(bus.publish(event(mode, Script.echo(dir, "e")).build()));
                    }
                    return ids;
                }));
            }
            Set<String> ids = new HashSet<>();
            for (Future<List<String>> f : published) {
                ids.addAll(f.get(60, TimeUnit.SECONDS));
            }
            assertEquals(publishers * perPublisher, ids.size(), "ids are unique");
            Map<String, EventResult> results = bus.getResults(ids);
            assertEquals(ids, results.keySet());
            for (String id : ids) {
                assertEquals(1, attempts(dir, id), "event " + id + " ran more than once");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
