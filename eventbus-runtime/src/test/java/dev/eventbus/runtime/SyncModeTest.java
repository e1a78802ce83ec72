package dev.eventbus.runtime;

import dev.eventbus.Event;
import dev.eventbus.EventResult;
import dev.eventbus.EventTimeoutException;
import dev.eventbus.ExecutionMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SyncModeTest {

    private static Event sync(String type, Object data) {
        return Event.builder(type).mode(ExecutionMode.SYNC).data(data).build();
    }

    @Test
    void runsInThePublishingThreadAndTheResultIsReadyWhenPublishReturns() {
        long caller = Thread.currentThread().threadId();
        try (RuntimeEventBus bus = TestBuses.bus(2, TestBuses.factory("who", () -> (event, context) ->
                EventResult.businessResult(event.id(), true, List.of(context.threadId(), context.processId()))))) {
            String id = bus.publish(sync("who", null));
            EventResult result = bus.getResults(List.of(id), false).get(id);
            assertNotNull(result, "the result is there without a join");
            assertEquals(List.of(caller, ProcessHandle.current().pid()), result.data());
        }
    }

    @Test
    void handlersInDifferentThreadsRunInParallel() throws Exception {
        CyclicBarrier bothInside = new CyclicBarrier(2);
        try (RuntimeEventBus bus = TestBuses.bus(1, TestBuses.factory("meet", () -> (event, context) -> {
            bothInside.await(10, TimeUnit.SECONDS); // only passes if the other publisher's handler runs meanwhile
            return EventResult.businessResult(event.id(), true, null);
        }))) {
            CompletableFuture<EventResult> first = CompletableFuture.supplyAsync(() -> bus.submit(sync("meet", 1)).join());
            EventResult second = bus.submit(sync("meet", 2)).get(30, TimeUnit.SECONDS);
            assertTrue(second.success(), second::toString);
            assertTrue(first.get(30, TimeUnit.SECONDS).success());
        }
    }

    @Test
    void interruptibleHandlerTimesOutAndTheCallersInterruptFlagIsClear() {
        try (RuntimeEventBus bus = TestBuses.bus(1, TestBuses.factory("slow", () -> (event, context) -> {
            Thread.sleep(60_000); // simulates slow work that honours interruption
            return EventResult.businessResult(event.id(), true, null);
        }))) {
            long start = System.nanoTime();
            String id = bus.publish(Event.builder("slow").mode(ExecutionMode.SYNC).timeout(Duration.ofMillis(200))
                    .maxRetries(1).build());
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertFalse(Thread.currentThread().isInterrupted(), "publish must leave the caller's flag clear");
            EventResult result = bus.getResults(List.of(id), false).get(id);
            assertInstanceOf(EventTimeoutException.class, result.exception());
            assertTrue(elapsedMillis < 2 * (200 + 1000), "two attempts of 200 ms took " + elapsedMillis + " ms");
        }
    }

    @Test
    void handlerIgnoringInterruptKeepsTheCallerAndEndsAsATimeout() {
        CountDownLatch never = new CountDownLatch(1);
        try (RuntimeEventBus bus = TestBuses.bus(1, TestBuses.factory("stubborn", () -> (event, context) -> {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (System.nanoTime() < end) {
                try {
                    never.await(end - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException ignored) {
                    // this handler deliberately ignores interruption
                }
            }
            return EventResult.businessResult(event.id(), true, "finished");
        }))) {
            String id = bus.publish(Event.builder("stubborn").mode(ExecutionMode.SYNC).timeout(Duration.ofMillis(50))
                    .maxRetries(0).build());
            assertFalse(Thread.currentThread().isInterrupted());
            EventResult result = bus.getResults(List.of(id), false).get(id);
            assertInstanceOf(EventTimeoutException.class, result.exception(), "the late result is a timeout");
        }
    }

    @Test
    void oneHandlerInstancePerThreadIsReusedWithItsThreadLocalData() {
        AtomicInteger created = new AtomicInteger();
        try (RuntimeEventBus bus = TestBuses.bus(1, TestBuses.factory("count", () -> {
            created.incrementAndGet();
            return (event, context) -> {
                int seen = (int) context.threadLocalData().merge("n", 1, (a, b) -> (int) a + (int) b);
                return EventResult.businessResult(event.id(), true, seen);
            };
        }))) {
            String last = null;
            for (int i = 0; i < 5; i++) {
                last = bus.publish(sync("count", null));
            }
            assertEquals(5, bus.getResults(List.of(last), false).get(last).data());
            assertEquals(1, created.get());
        }
    }

    @Test
    void handlerConstructionFailureIsARetriedFailureNotACrash() {
        AtomicInteger constructions = new AtomicInteger();
        try (RuntimeEventBus bus = TestBuses.bus(1, TestBuses.factory("fragile", () -> {
            if (constructions.incrementAndGet() < 3) {
                throw new IllegalStateException("not ready " + constructions.get());
            }
            return (event, context) -> EventResult.businessResult(event.id(), true, "built");
        }))) {
            String failed = bus.publish(Event.builder("fragile").mode(ExecutionMode.SYNC).maxRetries(0).build());
            Map<String, EventResult> first = bus.getResults(List.of(failed), false);
            assertEquals("not ready 1", first.get(failed).exception().getMessage());
            String ok = bus.publish(Event.builder("fragile").mode(ExecutionMode.SYNC).maxRetries(1).build());
            assertEquals("built", bus.getResults(List.of(ok), false).get(ok).data(), "second attempt built it");
        }
    }

    @Test
    void finalExceptionIsTheInstanceTheHandlerThrew() {
        IllegalArgumentException thrown = new IllegalArgumentException("exactly this one");
        try (RuntimeEventBus bus = TestBuses.bus(1, TestBuses.factory("throw", () -> (event, context) -> {
            throw thrown;
        }))) {
            String id = bus.publish(Event.builder("throw").mode(ExecutionMode.SYNC).maxRetries(2).build());
            assertSame(thrown, bus.getResults(List.of(id), false).get(id).exception());
        }
    }
}
