package dev.eventbus.runtime;

import dev.eventbus.Event;
import dev.eventbus.EventResult;
import dev.eventbus.EventTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ThreadModeTest {

    @Test
    void handlerIgnoringInterruptTimesOutOnTimeAndThePoolKeepsItsSize() throws Exception {
        int threads = 3;
        CountDownLatch release = new CountDownLatch(1);
        CyclicBarrier allWorkers = new CyclicBarrier(threads);
        var factory = TestBuses.factory("stubborn", () -> (event, context) -> {
            while (release.getCount() > 0) {
                try {
                    release.await();
                } catch (InterruptedException ignored) {
                    // deliberately ignores interruption: the bus must abandon and replace this thread
                }
            }
            return EventResult.businessResult(event.id(), true, null);
        });
        factory.registerEventType("meet", () -> (event, context) -> {
            allWorkers.await(20, TimeUnit.SECONDS); // needs `threads` handlers running at once
            return EventResult.businessResult(event.id(), true, context.threadId());
        });
        try (RuntimeEventBus bus = TestBuses.bus(threads, factory)) {
            long start = System.nanoTime();
            EventResult timedOut = bus.submit(Event.builder("stubborn").timeout(Duration.ofMillis(200)).maxRetries(1)
                    .build()).get(30, TimeUnit.SECONDS);
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertInstanceOf(EventTimeoutException.class, timedOut.exception(), timedOut::toString);
            assertTrue(elapsedMillis < 2 * 200 + 1000, "reported after " + elapsedMillis + " ms");

            List<String> ids = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                ids.add(bus.publish(Event.builder("meet").maxRetries(0).build()));
            }
            var results = bus.getResults(ids);
            results.values().forEach(r -> assertTrue(r.success(), "not all workers were free: " + r));
            assertEquals(threads, results.values().stream().map(EventResult::data).distinct().count());
            assertEquals(threads, bus.liveWorkers());
        } finally {
            release.countDown();
        }
    }

    @Test
    void eachWorkerThreadCreatesItsHandlerOnceAndReusesIt() {
        AtomicInteger created = new AtomicInteger();
        Set<Long> threadIds = ConcurrentHashMap.newKeySet();
        try (RuntimeEventBus bus = TestBuses.bus(2, TestBuses.factory("reuse", () -> {
            created.incrementAndGet();
            return (event, context) -> {
                threadIds.add(context.threadId());
                return EventResult.businessResult(event.id(), true, null);
            };
        }))) {
            for (int i = 0; i < 200; i++) {
                bus.publish(Event.of("reuse"));
            }
            bus.join();
            assertEquals(threadIds.size(), created.get(), "one instance per thread that ran the type");
            assertTrue(created.get() <= 2);
        }
    }

    @Test
    void aMillionUnreadResultsKeepTheCacheAtItsCapacity() {
        int capacity = 1000;
        int events = 1_000_000;
        var factory = TestBuses.factory("tiny", () -> (event, context) ->
                EventResult.businessResult(event.id(), true, null));
        try (RuntimeEventBus bus = (RuntimeEventBus) dev.eventbus.EventBus.builder().threads(2)
                .resultCacheSize(capacity).factory(factory).build()) {
            for (int i = 0; i < events; i++) {
                bus.publish(Event.of("tiny"));
                if (i % 1_000 == 0) { // while storing, each of the 2 workers may hold one result over
                    int size = bus.cache().size();
                    assertTrue(size <= capacity + 2, "cache over capacity while publishing: " + size);
                }
            }
            bus.join();
            assertEquals(capacity, bus.cache().size());
            assertEquals(events - capacity, bus.cache().evictions());
            assertEquals(0, bus.queue.size());
            System.gc();
            long used = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
            assertTrue(used < 256L * 1024 * 1024, "heap after a million events: " + used / 1024 / 1024 + " MiB");
        }
    }
}
