package dev.eventbus.runtime;

import dev.eventbus.Event;
import dev.eventbus.EventResult;
import dev.eventbus.ProgressTracker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProgressTest {

    private static RuntimeEventBus bus() {
        return TestBuses.bus(2, TestBuses.factory("ok", () -> (event, context) ->
                EventResult.businessResult(event.id(), true, null)));
    }

    @Test
    void threadTrackerCountsOnlyEventsPublishedByThatThreadWithTheThreadsSteps() throws Exception {
        AtomicInteger mine = new AtomicInteger();
        try (RuntimeEventBus bus = bus()) {
            bus.setProgressTracker(mine::addAndGet, 3);
            bus.publish(Event.of("ok"));
            bus.publish(Event.builder("ok").progressSteps(7).build()); // own steps only count with an own tracker
            Thread other = Thread.ofPlatform().start(() -> bus.publish(Event.of("ok")));
            other.join();
            bus.join();
            assertEquals(6, mine.get());
            bus.clearProgressTracker();
            bus.publish(Event.of("ok"));
            bus.join();
            assertEquals(6, mine.get(), "cleared: no more progress");
        }
    }

    @Test
    void eventsOwnTrackerBeatsTheThreads() {
        AtomicInteger thread = new AtomicInteger();
        AtomicInteger own = new AtomicInteger();
        try (RuntimeEventBus bus = bus()) {
            bus.setProgressTracker(thread::addAndGet, 1);
            bus.publish(Event.builder("ok").progressTracker(own::addAndGet).progressSteps(5).build());
            bus.join();
            assertEquals(0, thread.get());
            assertEquals(5, own.get());
        }
    }

    @Test
    void zeroStepsNeverAdvanceButStillCallTheTracker() {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger steps = new AtomicInteger();
        try (RuntimeEventBus bus = bus()) {
            bus.publish(Event.builder("ok").progressTracker(n -> {
                calls.incrementAndGet();
                steps.addAndGet(n);
            }).build());
            bus.join();
            assertEquals(1, calls.get());
            assertEquals(0, steps.get());
        }
    }

    @Test
    void throwingTrackerNeverChangesTheResult() {
        ProgressTracker broken = steps -> {
            throw new IllegalStateException("tracker bug");
        };
        try (RuntimeEventBus bus = bus()) {
            String id = bus.publish(Event.builder("ok").progressTracker(broken).progressSteps(1).build());
            EventResult result = bus.getResults(List.of(id)).get(id);
            assertTrue(result.success(), result::toString);
        }
    }

    /**
     * A tracker that fails with a {@link VirtualMachineError} still lets the event finish: it used to escape before
     * the result was stored and the event counted out, so the worker died and every join waited for ever.
     */
    @Test
    void trackerFailingWithAVirtualMachineErrorLosesNeitherTheEventNorTheWorker() {
        ProgressTracker recursing = steps -> {
            throw new StackOverflowError("tracker recursed");
        };
        try (RuntimeEventBus bus = TestBuses.bus(1, TestBuses.factory("ok", () -> (event, context) ->
                EventResult.businessResult(event.id(), true, "done")))) {
            String id = bus.publish(Event.builder("ok").progressTracker(recursing).progressSteps(1).build());
            assertTrue(bus.join(Duration.ofSeconds(30)), "the event never counted out");
            EventResult result = bus.getResults(List.of(id), false).get(id);
            assertEquals("done", result.data(), String.valueOf(result));
            assertEquals(1, bus.liveWorkers(), "the worker died with the tracker's error");
            String next = bus.publish(Event.of("ok"));
            assertEquals("done", bus.getResults(List.of(next)).get(next).data(), "the pool still runs events");
        }
    }

    @Test
    void badThreadTrackerSettingsAreRejected() {
        try (RuntimeEventBus bus = bus()) {
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                    () -> bus.setProgressTracker(n -> { }, -1));
            assertEquals("steps must be >= 0: -1", negative.getMessage());
            NullPointerException nul = assertThrows(NullPointerException.class, () -> bus.setProgressTracker(null, 1));
            assertEquals("tracker", nul.getMessage());
        }
    }

    /** A tracker that fails, and whose toString() fails too: logging its failure threw in the bus's own code. */
    static final class UnprintableTracker implements ProgressTracker {
        @Override
        public void progress(int steps) {
            throw new IllegalStateException("progress fails");
        }

        @Override
        public String toString() {
            throw new IllegalStateException("toString() fails");
        }
    }

    /**
     * Logging a tracker's failure calls the tracker's toString(); when that threw too, the event's result was never
     * delivered: a submit() future never completed, a published event's result never reached the cache.
     */
    @Test
    void aFailingTrackerWhoseToStringFailsStillLetsTheResultBeDelivered() throws Exception {
        try (RuntimeEventBus bus = bus()) {
            EventResult submitted = bus.submit(Event.builder("ok").progressTracker(new UnprintableTracker()).build())
                    .get(10, TimeUnit.SECONDS);
            assertTrue(submitted.success(), String.valueOf(submitted));
            bus.setProgressTracker(new UnprintableTracker(), 1);
            String id = bus.publish(Event.builder("ok").mode(dev.eventbus.ExecutionMode.SYNC).build());
            EventResult published = bus.getResults(List.of(id), false).get(id);
            assertTrue(published != null && published.success(), String.valueOf(published));
        }
    }
}
