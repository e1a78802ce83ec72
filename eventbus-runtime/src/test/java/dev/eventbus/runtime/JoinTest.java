package dev.eventbus.runtime;

import dev.eventbus.Event;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.EventTimeoutException;
import dev.eventbus.ExecutionMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JoinTest {

    @ParameterizedTest
    @ValueSource(strings = {"join", "joinDuration", "getResults", "getResultsIds"})
    void joiningFromAHandlerThrowsInsteadOfDeadlocking(String call) {
        for (ExecutionMode mode : List.of(ExecutionMode.SYNC, ExecutionMode.THREAD)) {
            AtomicReference<RuntimeEventBus> self = new AtomicReference<>();
            try (RuntimeEventBus bus = TestBuses.bus(1, TestBuses.factory("join", () -> (event, context) -> {
                RuntimeEventBus b = self.get();
                try {
                    switch (call) {
                        case "join" -> b.join();
                        case "joinDuration" -> b.join(Duration.ofSeconds(1));
                        case "getResults" -> b.getResults();
                        default -> b.getResults(List.of("x"), true);
                    }
                    return EventResult.businessResult(event.id(), true, "no exception");
                } catch (IllegalStateException expected) {
                    return EventResult.businessResult(event.id(), false, expected.getMessage());
                }
            }))) {
                self.set(bus);
                String id = bus.publish(Event.builder("join").mode(mode).build());
                EventResult result = bus.getResults(List.of(id)).get(id);
                assertFalse(result.success(), mode + ": " + result);
                assertTrue(((String) result.data()).contains("cannot be called from an event handler"),
                        mode + ": " + result.data());
            }
        }
    }

    @Test
    void nonJoiningReadFromAHandlerIsAllowed() {
        AtomicReference<RuntimeEventBus> self = new AtomicReference<>();
        try (RuntimeEventBus bus = TestBuses.bus(1, TestBuses.factory("peek", () -> (event, context) ->
                EventResult.businessResult(event.id(), true, self.get().getResults(List.of("x"), false).size())))) {
            self.set(bus);
            String id = bus.publish(Event.of("peek"));
            assertEquals(0, bus.getResults(List.of(id)).get(id).data());
        }
    }

    @Test
    void joinWithATimeoutReportsWhetherTheBusIsDone() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        try (RuntimeEventBus bus = TestBuses.bus(1, heldUntil(started, release))) {
            bus.publish(Event.of("held"));
            assertTrue(started.await(10, TimeUnit.SECONDS));
            assertFalse(bus.join(Duration.ZERO), "a zero timeout checks without waiting");
            assertFalse(bus.join(Duration.ofMillis(-5)));
            assertFalse(bus.join(Duration.ofMillis(50)));
            release.countDown();
            assertTrue(bus.join(Duration.ofSeconds(30)));
        }
    }

    /**
     * Polling {@code join(timeout)} while one event hangs and others come and go keeps nothing per call: each such
     * join closed an epoch whose future stayed chained to the hung one's until it ended.
     */
    @Test
    void pollingJoinWhileOneEventHangsKeepsNothingPerCall() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        var factory = heldUntil(started, release);
        factory.registerEventType("quick", () -> (event, context) -> EventResult.businessResult(event.id(), true, 1));
        try (RuntimeEventBus bus = TestBuses.bus(2, factory)) {
            CompletableFuture<EventResult> held = bus.submit(Event.of("held"));
            assertTrue(started.await(10, TimeUnit.SECONDS));
            for (int i = 0; i < 2_000; i++) {
                CompletableFuture<EventResult> quick = bus.submit(Event.of("quick"));
                assertFalse(bus.join(Duration.ofNanos(1)), "join " + i + " returned true while an event hangs");
                assertEquals(1, quick.get(10, TimeUnit.SECONDS).data());
                // the quick event counts out just after its future completes: only the hung one's epoch stays
                assertTrue(Await.until(Duration.ofSeconds(10), () -> bus.pendingJoinEpochs() == 1),
                        () -> "closed epochs kept: " + bus.pendingJoinEpochs());
            }
            release.countDown();
            assertTrue(held.get(10, TimeUnit.SECONDS).success());
            assertTrue(bus.join(Duration.ofSeconds(10)));
            assertEquals(0, bus.pendingJoinEpochs());
        } finally {
            release.countDown();
        }
    }

    /** An interrupt ends join(Duration) early, not join(); both return with the interrupt flag still set. */
    @Test
    void anInterruptEndsATimedJoinButNotAPlainOne() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        try (RuntimeEventBus bus = TestBuses.bus(1, heldUntil(started, release))) {
            CompletableFuture<EventResult> held = bus.submit(Event.of("held"));
            assertTrue(started.await(10, TimeUnit.SECONDS));
            Thread.currentThread().interrupt();
            assertFalse(bus.join(Duration.ofSeconds(30)), "an interrupted timed join waits no more");
            assertTrue(Thread.interrupted(), "the flag stays set");

            CompletableFuture<Boolean> plainJoin = new CompletableFuture<>();
            Thread joiner = Thread.ofPlatform().start(() -> {
                bus.join();
                plainJoin.complete(Thread.currentThread().isInterrupted());
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (joiner.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // until the joiner waits
            }
            joiner.interrupt();
            assertThrows(TimeoutException.class, () -> plainJoin.get(200, TimeUnit.MILLISECONDS),
                    "join() returned on an interrupt while the event runs");
            release.countDown();
            assertTrue(plainJoin.get(10, TimeUnit.SECONDS), "join() returned with the interrupt flag cleared");
            assertTrue(held.get(10, TimeUnit.SECONDS).success());
        } finally {
            release.countDown();
        }
    }

    /** A factory of "held" events: each signals {@code started}, then waits for {@code release}. */
    private static EventFactory heldUntil(CountDownLatch started, CountDownLatch release) {
        return TestBuses.factory("held", () -> (event, context) -> {
            started.countDown();
            release.await();
            return EventResult.businessResult(event.id(), true, null);
        });
    }

    @Test
    void joinReturnsWhileAnotherThreadKeepsPublishing() throws Exception {
        AtomicBoolean publishing = new AtomicBoolean(true);
        try (RuntimeEventBus bus = TestBuses.bus(2, TestBuses.factory("ok", () -> (event, context) ->
                EventResult.businessResult(event.id(), true, null)))) {
            Thread publisher = Thread.ofPlatform().start(() -> {
                while (publishing.get()) {
                    bus.publish(Event.of("ok"));
                }
            });
            try {
                // A future, not the cache: the endless publisher would evict a cached result.
                var mine = bus.submit(Event.of("ok"));
                bus.join(); // must not wait for the endless stream published after it
                assertTrue(mine.isDone(), "join returned before an event published ahead of it finished");
            } finally {
                publishing.set(false);
                publisher.join();
            }
        }
    }

    @Test
    void hugeTimeoutsNeitherOverflowNorFireEarly() {
        try (RuntimeEventBus bus = TestBuses.bus(1, TestBuses.factory("ok", () -> (event, context) ->
                EventResult.businessResult(event.id(), true, "done")))) {
            for (ExecutionMode mode : List.of(ExecutionMode.SYNC, ExecutionMode.THREAD)) {
                for (Duration timeout : List.of(Duration.ofSeconds(Long.MAX_VALUE), Duration.ofDays(365 * 500))) {
                    String id = bus.publish(Event.builder("ok").mode(mode).timeout(timeout).build());
                    EventResult result = bus.getResults(List.of(id)).get(id);
                    assertTrue(result.success(), mode + " " + timeout + ": " + result);
                }
            }
        }
    }

    /**
     * A handler whose worker was abandoned (it ignored its timeout's interrupt) is still a handler: its join() is
     * refused like any handler's. It used to pass, as the check looked only at the live workers.
     */
    @Test
    void joinFromAHandlerWhoseWorkerWasAbandonedIsRefused() throws Exception {
        CountDownLatch replaced = new CountDownLatch(1);
        CompletableFuture<Throwable> joinOutcome = new CompletableFuture<>();
        AtomicReference<RuntimeEventBus> self = new AtomicReference<>();
        try (RuntimeEventBus bus = TestBuses.bus(1, TestBuses.factory("stubborn", () -> (event, context) -> {
            TestBuses.awaitIgnoringInterrupts(replaced); // the bus must abandon (and replace) this worker
            try {
                self.get().join();
                joinOutcome.complete(null);
            } catch (Throwable t) {
                joinOutcome.complete(t);
            }
            return EventResult.businessResult(event.id(), true, null);
        }))) {
            self.set(bus);
            EventResult result = bus.submit(Event.builder("stubborn").timeout(Duration.ofMillis(50)).maxRetries(0)
                    .build()).get(30, TimeUnit.SECONDS); // completed by the replacement worker: the old one is abandoned
            assertInstanceOf(EventTimeoutException.class, result.exception());
            replaced.countDown();
            Throwable thrown = joinOutcome.get(30, TimeUnit.SECONDS);
            assertInstanceOf(IllegalStateException.class, thrown, String.valueOf(thrown));
        } finally {
            replaced.countDown();
        }
    }
}
