package dev.eventbus.runtime;

import dev.eventbus.Event;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskQueueTest {

    private static Task task(int priority, String name) {
        return new Task(Event.builder("t").priority(priority).name(name).build(), null, null, null, 0, null);
    }

    @Test
    void pollsHighestPriorityFirstAndFifoWithinAPriority() {
        TaskQueue queue = new TaskQueue();
        for (String spec : List.of("3a", "7a", "3b", "10a", "0a", "7b")) {
            queue.offer(task(Integer.parseInt(spec.substring(0, spec.length() - 1)), spec));
        }
        assertEquals(6, queue.size());
        List<String> order = new ArrayList<>();
        for (Task t = queue.poll(); t != null; t = queue.poll()) {
            order.add(t.event.name().orElseThrow());
        }
        assertEquals(List.of("10a", "7a", "7b", "3a", "3b", "0a"), order);
        assertNull(queue.poll());
        assertEquals(0, queue.size());
    }

    @RepeatedTest(5)
    void concurrentProducersAndConsumersTakeEachTaskOnceInEachProducersOrder() throws Exception {
        int producers = 3;
        int consumers = 3;
        int perProducer = 50_000;
        TaskQueue queue = new TaskQueue();
        CyclicBarrier start = new CyclicBarrier(producers + consumers);
        Set<Task> taken = ConcurrentHashMap.newKeySet();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger remaining = new AtomicInteger(producers * perProducer);
        List<Map<Integer, Integer>> lastSeen = new ArrayList<>(); // per consumer: producer -> last sequence seen
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            threads.add(Thread.ofPlatform().start(() -> {
                await(start);
                for (int i = 0; i < perProducer; i++) {
                    queue.offer(task(5, producer + ":" + i));
                }
            }));
        }
        for (int c = 0; c < consumers; c++) {
            Map<Integer, Integer> seen = new HashMap<>();
            lastSeen.add(seen);
            threads.add(Thread.ofPlatform().start(() -> {
                await(start);
                while (remaining.get() > 0) {
                    Task t = queue.poll();
                    if (t == null) {
                        Thread.onSpinWait();
                        continue;
                    }
                    if (!taken.add(t)) {
                        failures.add("taken twice: " + t);
                    }
                    remaining.decrementAndGet();
                    String[] parts = t.event.name().orElseThrow().split(":");
                    int previous = seen.getOrDefault(Integer.parseInt(parts[0]), -1);
                    int sequence = Integer.parseInt(parts[1]);
                    if (sequence <= previous) {
                        failures.add("out of order for producer " + parts[0] + ": " + sequence + " after " + previous);
                    }
                    seen.put(Integer.parseInt(parts[0]), sequence);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertEquals(List.of(), failures);
        assertEquals(producers * perProducer, taken.size());
        assertNull(queue.poll());
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
