package dev.eventbus.runtime;

import dev.eventbus.Event;
import dev.eventbus.EventContext;
import dev.eventbus.EventHandler;
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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

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

    /**
     * A SYNC handler that publishes itself without end used to overflow the stack, somewhere in the bus's code as often
     * as in the handler's, and join() then hung on the events whose attempt the overflow cut short. Now publish refuses
     * the event nested too deep, with a clear error, and every event accepted gets a result.
     */
    @Test
    void endlessSyncRecursionIsRefusedAtTheNestingLimitAndEveryEventGetsAResult() throws Exception {
        AtomicReference<RuntimeEventBus> self = new AtomicReference<>();
        AtomicInteger handled = new AtomicInteger();
        try (RuntimeEventBus bus = TestBuses.bus(1, TestBuses.factory("recurse", () -> (event, context) -> {
            handled.incrementAndGet();
            self.get().publish(Event.builder("recurse").mode(ExecutionMode.SYNC).maxRetries(0).build());
            return EventResult.businessResult(event.id(), true, null);
        }))) {
            self.set(bus);
            EventResult outer = bus.submit(Event.builder("recurse").mode(ExecutionMode.SYNC).maxRetries(0).build())
                    .get(30, TimeUnit.SECONDS);
            assertTrue(outer.success(), outer::toString);
            assertEquals(RuntimeEventBus.MAX_SYNC_NESTING, handled.get(), "the outer event and every nested one");
            assertTrue(bus.join(Duration.ofSeconds(30)));
            Map<String, EventResult> nested = bus.getResults();
            assertEquals(RuntimeEventBus.MAX_SYNC_NESTING - 1, nested.size(), "one result per nested event");
            EventResult deepest = nested.values().stream().filter(r -> !r.success()).findFirst().orElseThrow();
            assertInstanceOf(IllegalStateException.class, deepest.exception());
            assertTrue(deepest.exception().getMessage().contains("SYNC events nested 128 deep"),
                    deepest.exception().getMessage());
            assertEquals(1, nested.values().stream().filter(r -> !r.success()).count(), "only the deepest failed");
        }
    }

    /** Publishing one Event twice runs it twice under one id: the first result, unread, is replaced and counted. */
    @Test
    void theSameEventPublishedTwiceReplacesItsUnreadResultCountably() {
        AtomicInteger runs = new AtomicInteger();
        try (RuntimeEventBus bus = TestBuses.bus(1, TestBuses.factory("twice", () -> (event, context) ->
                EventResult.businessResult(event.id(), true, runs.incrementAndGet())))) {
            Event event = sync("twice", null);
            bus.publish(event);
            bus.publish(event);
            assertEquals(Map.of(event.id(), EventResult.businessResult(event.id(), true, 2)), bus.getResults());
            assertEquals(1, bus.cache().replaced());
        }
    }

    /** The limit is on nesting, not on SYNC events in a row: a thousand one after another all run. */
    @Test
    void sequentialSyncEventsAreNotNested() {
        try (RuntimeEventBus bus = TestBuses.bus(1, TestBuses.factory("flat", () -> (event, context) ->
                EventResult.businessResult(event.id(), true, null)))) {
            for (int i = 0; i < 1_000; i++) {
                bus.publish(sync("flat", i));
            }
            assertEquals(1_000, bus.getResults().size());
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

    /**
     * A SYNC handler that publishes a SYNC event is still timed out itself: the nested event used to take the thread's
     * one watchdog slot and clear it when done, so the enclosing attempt was never timed (nor cancelled) again.
     */
    @Test
    void aSyncHandlerThatPublishesASyncEventIsStillTimedOut() {
        CountDownLatch never = new CountDownLatch(1);
        AtomicReference<RuntimeEventBus> busRef = new AtomicReference<>();
        CompletableFuture<EventResult> inner = new CompletableFuture<>();
        EventFactory factory = new EventFactory();
        factory.registerEventType("inner", () -> (event, context) -> EventResult.businessResult(event.id(), true, 7));
        factory.registerEventType("outer", () -> (event, context) -> {
            inner.complete(busRef.get().submit(sync("inner", null)).join());
            never.await(); // only a stop ends this
            return EventResult.businessResult(event.id(), true, "ran to the end");
        });
        try (RuntimeEventBus bus = TestBuses.bus(1, factory)) {
            busRef.set(bus);
            String id = bus.publish(Event.builder("outer").mode(ExecutionMode.SYNC).timeout(Duration.ofMillis(200))
                    .maxRetries(0).build());
            EventResult result = bus.getResults(List.of(id), false).get(id);
            assertInstanceOf(EventTimeoutException.class, result.exception(), String.valueOf(result));
            assertEquals(7, inner.join().data());
            assertFalse(Thread.currentThread().isInterrupted());
        } finally {
            never.countDown();
        }
    }

    /**
     * An enclosing attempt (SYNC or THREAD) stopped while a SYNC event it published runs: the nested handler takes
     * the interrupt, and the enclosing handler must still see it when the nested event returns, or it runs on past
     * its timeout (a worker is then abandoned instead of stopping cleanly).
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void anEnclosingHandlerStillSeesItsStopAfterANestedSyncHandlerTookTheInterrupt(boolean outerSync)
            throws Exception {
        ExecutionMode outerMode = outerSync ? ExecutionMode.SYNC : ExecutionMode.THREAD;
        CountDownLatch never = new CountDownLatch(1);
        CompletableFuture<Boolean> outerSawStop = new CompletableFuture<>();
        CompletableFuture<EventResult> inner = new CompletableFuture<>();
        AtomicReference<RuntimeEventBus> busRef = new AtomicReference<>();
        EventFactory factory = new EventFactory();
        factory.registerEventType("inner", () -> (event, context) -> {
            never.await(); // interrupted by the enclosing attempt's stop
            return EventResult.businessResult(event.id(), true, null);
        });
        factory.registerEventType("outer", () -> (event, context) -> {
            inner.complete(busRef.get().submit(Event.builder("inner").mode(ExecutionMode.SYNC)
                    .timeout(Duration.ofMinutes(5)).maxRetries(0).build()).join());
            outerSawStop.complete(Thread.currentThread().isInterrupted());
            never.await();
            return EventResult.businessResult(event.id(), true, "ran to the end");
        });
        try (RuntimeEventBus bus = TestBuses.bus(1, factory)) {
            busRef.set(bus);
            EventResult result = bus.submit(Event.builder("outer").mode(outerMode).timeout(Duration.ofMillis(200))
                    .maxRetries(0).build()).get(30, TimeUnit.SECONDS);
            assertTrue(outerSawStop.get(30, TimeUnit.SECONDS), "the enclosing handler lost its interrupt");
            assertInstanceOf(EventTimeoutException.class, result.exception(), String.valueOf(result));
            assertInstanceOf(InterruptedException.class, inner.get(30, TimeUnit.SECONDS).exception());
            assertFalse(Thread.currentThread().isInterrupted());
        } finally {
            never.countDown();
        }
    }

    /**
     * Once the attempt around it is stopped, a nested SYNC event retries no more, and none of its attempts starts
     * with the enclosing attempt's interrupt already set: that interrupt used to be raised again after each nested
     * attempt, so every retry failed at once; and retrying with a clear flag would keep the stopped attempt waiting
     * for all of the nested event's retries.
     */
    @Test
    void aNestedSyncEventRetriesNoMoreOnceTheEnclosingAttemptIsStopped() throws Exception {
        List<Boolean> interruptedAtStart = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch never = new CountDownLatch(1);
        AtomicReference<RuntimeEventBus> busRef = new AtomicReference<>();
        CompletableFuture<EventResult> inner = new CompletableFuture<>();
        CompletableFuture<Boolean> outerSawStop = new CompletableFuture<>();
        EventFactory factory = new EventFactory();
        factory.registerEventType("inner", () -> (event, context) -> {
            interruptedAtStart.add(Thread.currentThread().isInterrupted());
            never.await();
            return EventResult.businessResult(event.id(), true, null);
        });
        factory.registerEventType("outer", () -> (event, context) -> {
            inner.complete(busRef.get().submit(Event.builder("inner").mode(ExecutionMode.SYNC)
                    .timeout(Duration.ofMinutes(5)).maxRetries(3).build()).join());
            outerSawStop.complete(Thread.currentThread().isInterrupted());
            return EventResult.businessResult(event.id(), true, "done");
        });
        try (RuntimeEventBus bus = TestBuses.bus(1, factory)) {
            busRef.set(bus);
            EventResult result = bus.submit(Event.builder("outer").mode(ExecutionMode.SYNC)
                    .timeout(Duration.ofMillis(200)).maxRetries(0).build()).get(30, TimeUnit.SECONDS);
            assertEquals(List.of(false), interruptedAtStart, "one nested attempt, begun with a clear flag");
            assertInstanceOf(InterruptedException.class, inner.get(30, TimeUnit.SECONDS).exception());
            assertTrue(outerSawStop.get(30, TimeUnit.SECONDS));
            assertInstanceOf(EventTimeoutException.class, result.exception(), String.valueOf(result));
            assertFalse(Thread.currentThread().isInterrupted());
        } finally {
            never.countDown();
        }
    }

    /**
     * A nested SYNC event that times out after the attempt around it was stopped ends with its timeout at once, even
     * with retries left; its message counts the attempts it had, which for {@code maxRetries(Integer.MAX_VALUE)} was
     * "attempt 1 of -2147483648" (an int overflow).
     */
    @Test
    void aTimeoutMessageCountsTheAttemptsOfTheLargestMaxRetriesWithoutOverflowing() throws Exception {
        CountDownLatch innerStopped = new CountDownLatch(1);
        CountDownLatch outerStopped = new CountDownLatch(1);
        AtomicReference<RuntimeEventBus> busRef = new AtomicReference<>();
        CompletableFuture<EventResult> inner = new CompletableFuture<>();
        EventFactory factory = new EventFactory();
        factory.registerEventType("inner", () -> new EventHandler() {
            @Override
            public EventResult handle(Event event, EventContext context) {
                awaitIgnoringInterrupts(innerStopped); // its own timeout first,
                awaitIgnoringInterrupts(outerStopped); // then the enclosing attempt's
                return EventResult.businessResult(event.id(), true, "too late");
            }

            @Override
            public void terminate(EventContext context) {
                innerStopped.countDown();
            }
        });
        factory.registerEventType("outer", () -> new EventHandler() {
            @Override
            public EventResult handle(Event event, EventContext context) {
                inner.complete(busRef.get().submit(Event.builder("inner").mode(ExecutionMode.SYNC)
                        .timeout(Duration.ofMillis(50)).maxRetries(Integer.MAX_VALUE).build()).join());
                return EventResult.businessResult(event.id(), true, "done");
            }

            @Override
            public void terminate(EventContext context) {
                outerStopped.countDown();
            }
        });
        try (RuntimeEventBus bus = TestBuses.bus(1, factory)) {
            busRef.set(bus);
            bus.submit(Event.builder("outer").mode(ExecutionMode.SYNC).timeout(Duration.ofMillis(500)).maxRetries(0)
                    .build()).get(30, TimeUnit.SECONDS);
            EventResult result = inner.get(30, TimeUnit.SECONDS);
            assertInstanceOf(EventTimeoutException.class, result.exception(), String.valueOf(result));
            assertTrue(result.exception().getMessage().endsWith(" in attempt 1 of 2147483648"),
                    result.exception().getMessage());
        } finally {
            Thread.interrupted();
        }
    }

    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        while (true) {
            try {
                if (latch.await(30, TimeUnit.SECONDS)) {
                    return;
                }
                throw new AssertionError("latch not released");
            } catch (InterruptedException e) {
                // ignored, as a handler that does not stop when told does
            }
        }
    }

    @Test
    void aNestedSyncEventUsesTheThreadsHandlerInstanceAndThreadLocalData() {
        AtomicInteger created = new AtomicInteger();
        AtomicReference<RuntimeEventBus> busRef = new AtomicReference<>();
        EventFactory factory = new EventFactory();
        factory.registerEventType("nest", () -> {
            created.incrementAndGet();
            return (event, context) -> {
                int depth = (Integer) event.data();
                context.threadLocalData().put("depth " + depth, depth);
                if (depth < 3) {
                    busRef.get().publish(sync("nest", depth + 1));
                }
                return EventResult.businessResult(event.id(), true, context.threadLocalData().size());
            };
        });
        try (RuntimeEventBus bus = TestBuses.bus(1, factory)) {
            busRef.set(bus);
            String id = bus.publish(sync("nest", 1));
            assertEquals(3, bus.getResults(List.of(id), false).get(id).data(), "one map for the thread's levels");
            assertEquals(1, created.get(), "one handler instance for the thread's levels");
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
