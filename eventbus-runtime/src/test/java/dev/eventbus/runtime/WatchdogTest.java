package dev.eventbus.runtime;

import dev.eventbus.Event;
import dev.eventbus.EventResult;
import dev.eventbus.EventTimeoutException;
import dev.eventbus.ExecutionMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The watchdog times attempts from the scan that first sees them: these tests pin that a timeout is never reported
 * early, is reported within its bound whether the watchdog was idle or ticking, and that the context's timestamp
 * lies within the attempt.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WatchdogTest {

    private static final long TIMEOUT_MILLIS = 60;
    private static final long BOUND_MILLIS = TIMEOUT_MILLIS + 1000;

    /** When each attempt's interrupt arrived (System.nanoTime). */
    private final ConcurrentLinkedQueue<Long> interrupts = new ConcurrentLinkedQueue<>();

    private RuntimeEventBus slowBus() {
        return TestBuses.bus(2, TestBuses.factory("slow", () -> (event, context) -> {
            try {
                Thread.sleep(60_000); // simulates slow work that honours interruption
            } catch (InterruptedException e) {
                interrupts.add(System.nanoTime());
                throw e;
            }
            return EventResult.businessResult(event.id(), true, null);
        }));
    }

    /**
     * Publishes a SYNC event that times out, timing it from before the publish (so before its attempt starts) to the
     * interrupt, and checks both bounds.
     */
    private void publishAndAssertTimedOutOnTime(RuntimeEventBus bus) {
        interrupts.clear();
        long before = System.nanoTime();
        String id = bus.publish(Event.builder("slow").mode(ExecutionMode.SYNC)
                .timeout(Duration.ofMillis(TIMEOUT_MILLIS)).maxRetries(0).build());
        long returned = System.nanoTime();
        EventResult result = bus.getResults(List.of(id), false).get(id);
        assertInstanceOf(EventTimeoutException.class, result.exception(), result::toString);
        assertEquals(1, interrupts.size(), "one interrupted attempt");
        long stoppedAfter = TimeUnit.NANOSECONDS.toMillis(interrupts.peek() - before);
        assertTrue(stoppedAfter >= TIMEOUT_MILLIS, "the attempt was stopped early, after " + stoppedAfter + " ms");
        long reportedAfter = TimeUnit.NANOSECONDS.toMillis(returned - before);
        assertTrue(reportedAfter < BOUND_MILLIS, "the timeout was reported late, after " + reportedAfter + " ms");
    }

    @Test
    void timeoutsNeverFireEarlyWhileTheWatchdogTicks() {
        try (RuntimeEventBus bus = slowBus()) {
            for (int i = 0; i < 8; i++) { // back to back: all but the first start while the watchdog is busy
                publishAndAssertTimedOutOnTime(bus);
            }
        }
    }

    @Test
    void anAttemptAfterAQuietSpellWakesTheIdleWatchdog() throws Exception {
        try (RuntimeEventBus bus = slowBus()) {
            assertTrue(Await.until(Duration.ofSeconds(10), () -> bus.watchdog().isIdle()),
                    "a bus with nothing running lets its watchdog go idle");
            publishAndAssertTimedOutOnTime(bus);
            assertTrue(Await.until(Duration.ofSeconds(10), () -> bus.watchdog().isIdle()),
                    "and idle again once the bus is quiet");
            publishAndAssertTimedOutOnTime(bus);
        }
    }

    /**
     * A thread that used the bus (ran SYNC events, nested ones too, or only joined) gets watchdog slots; once it has
     * ended, they are dropped, so short-lived publishing threads leave no registration (and no handler instances or
     * thread-local data) behind. The workers' slots stay.
     */
    @Test
    void theSlotsOfEndedThreadsAreDroppedAndTheWorkersStay() throws Exception {
        var factory = TestBuses.factory("leaf", () -> (event, context) ->
                EventResult.businessResult(event.id(), true, null));
        AtomicReference<RuntimeEventBus> busRef = new AtomicReference<>();
        factory.registerEventType("outer", () -> (event, context) -> EventResult.businessResult(event.id(), true,
                busRef.get().submit(Event.builder("leaf").mode(ExecutionMode.SYNC).build()).get().success()));
        try (RuntimeEventBus bus = TestBuses.bus(2, factory)) {
            busRef.set(bus);
            int workerSlots = bus.watchdog().slots().size();
            List<Thread> threads = new ArrayList<>();
            ConcurrentLinkedQueue<Object> outcomes = new ConcurrentLinkedQueue<>();
            for (int i = 0; i < 6; i++) {
                boolean onlyJoins = i % 3 == 0;
                threads.add(Thread.ofPlatform().start(() -> {
                    if (onlyJoins) {
                        outcomes.add(bus.join(Duration.ofSeconds(30)));
                    } else {
                        outcomes.add(bus.submit(Event.builder("outer").mode(ExecutionMode.SYNC).build()).join().data());
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(30));
                assertFalse(thread.isAlive());
            }
            assertEquals(List.of(true, true, true, true, true, true), List.copyOf(outcomes));
            // The watchdog drops them on a scan: within its idle horizon (10 s) at the latest.
            assertTrue(Await.until(Duration.ofSeconds(30), () -> bus.watchdog().slots().stream()
                    .noneMatch(slot -> threads.contains(slot.thread))), () -> "slots of ended threads remain: "
                    + bus.watchdog().slots().stream().map(slot -> slot.thread.getName()).toList());
            assertEquals(workerSlots, bus.watchdog().slots().size());
            assertTrue(bus.watchdog().slots().stream().allMatch(slot -> slot.pooled && slot.thread.isAlive()));
        }
    }

    @Test
    void theContextTimestampLiesWithinTheAttemptAndDoesNotChange() {
        try (RuntimeEventBus bus = TestBuses.bus(1, TestBuses.factory("when", () -> (event, context) -> {
            Instant first = context.timestamp();
            return EventResult.businessResult(event.id(), true, List.of(first, context.timestamp()));
        }))) {
            Instant before = Instant.now();
            String id = bus.publish(Event.builder("when").mode(ExecutionMode.SYNC).build());
            Instant after = Instant.now();
            List<?> times = (List<?>) bus.getResults(List.of(id), false).get(id).data();
            Instant stamp = (Instant) times.get(0);
            assertFalse(stamp.isBefore(before), stamp + " is before the publish at " + before);
            assertFalse(stamp.isAfter(after), stamp + " is after the publish returned at " + after);
            assertSame(stamp, times.get(1), "one attempt, one timestamp");
        }
    }
}
